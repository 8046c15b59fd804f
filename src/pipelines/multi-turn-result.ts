import type { Judgment } from "../work/judgment.js";
import { scoreResponse } from "../tasks/score.js";
import type { Task } from "../work/task.js";
import type { ChatMessage, ErrorInfo, ResultLine, Timing, Usage, WorkKey } from "../types.js";
import type { TurnRecord } from "../work/conversation-state.js";

/** The metric of judge ratings; its filter slot names the turn (`turn_1` …) or `overall`. */
export const JUDGE_METRIC = "judge_score";

export interface ConversationOutcome {
  readonly key: WorkKey;
  readonly task: Task;
  readonly questions: readonly string[];
  readonly system: string | undefined;
  readonly target: string;
  readonly turns: readonly TurnRecord[];
  /** Turns done by an earlier run and continued here. */
  readonly resumedTurns: number;
  readonly judgeModel?: string;
  readonly error?: ErrorInfo;
}

/**
 * The result line of a conversation (pure). It holds the transcript and, per turn, the reply, its
 * usage, timing and judgment. Scores: `judge_score,turn_N` per graded turn and `judge_score,overall`,
 * the mean of the sample's ratings weighted by their count (`weights`), so the summary's
 * overall equals FastChat's average over all graded turns; plus the task's metrics on the last reply
 * when it has any. `usage` and `cost_usd` are the evaluated model's; the judge's are under `judge`.
 */
export function conversationLine(o: ConversationOutcome): ResultLine {
  const transcript: ChatMessage[] = [...(o.system !== undefined ? [{ role: "system" as const, content: o.system }] : [])];
  for (const t of o.turns) transcript.push({ role: "user", content: t.user }, { role: "assistant", content: t.assistant });
  const last = o.turns.at(-1)?.assistant ?? null;
  const base: ResultLine = {
    id: o.key.id,
    task: o.key.task,
    model: o.key.model,
    repeat: o.key.repeat,
    status: o.error ? "error" : "ok",
    input: o.questions[0] ?? "",
    response: last,
    target: o.target,
    turns: o.turns.map((t, i) => turnView(t, i)),
    transcript,
    usage: sumUsage(o.turns.map((t) => t.usage)),
    cost_usd: sumCost(o.turns.map((t) => t.cost_usd)),
    timing: sumTiming(o.turns.map((t) => t.timing), o.error?.attempts ?? 0),
    // Requests for the turns (a failed one included): the summary counts retries as attempts beyond these.
    requests: o.turns.length + (o.error && o.error.attempts > 0 ? 1 : 0),
    ...(o.resumedTurns > 0 ? { resumed_turns: o.resumedTurns } : {}),
    ...judgeTotals(o),
  };
  if (o.error) return { ...base, error: o.error };

  const scores: Record<string, number> = {};
  const ratings: number[] = [];
  o.turns.forEach((t, i) => {
    const r = t.judgment?.rating;
    if (typeof r === "number") {
      scores[`${JUDGE_METRIC},turn_${i + 1}`] = r;
      ratings.push(r);
    }
  });
  const weights: Record<string, number> = {};
  if (ratings.length > 0) {
    const key = `${JUDGE_METRIC},overall`;
    scores[key] = ratings.reduce((a, b) => a + b, 0) / ratings.length;
    weights[key] = ratings.length;
  }
  let filtered: Record<string, string> | undefined;
  if (o.task.metrics.length > 0 && last !== null) {
    const scored = scoreResponse(o.task, last, o.target);
    Object.assign(scores, scored.scores);
    filtered = scored.filtered;
  }
  return { ...base, scores, ...(ratings.length > 1 ? { weights } : {}), ...(filtered ? { filtered } : {}) };
}

function turnView(t: TurnRecord, i: number): Record<string, unknown> {
  return {
    turn: i + 1,
    user: t.user,
    response: t.assistant,
    finish_reason: t.finish_reason,
    usage: t.usage,
    cost_usd: t.cost_usd,
    timing: t.timing,
    ...(t.served_by ? { served_by: t.served_by } : {}),
    ...(t.context ? { context: t.context } : {}),
    ...(t.judgment ? { judge: t.judgment } : {}),
  };
}

function judgeTotals(o: ConversationOutcome): Record<string, unknown> {
  const judgments = o.turns.map((t) => t.judgment).filter((j): j is Judgment => j !== undefined);
  if (judgments.length === 0 || !o.judgeModel) return {};
  return {
    judge: {
      model: o.judgeModel,
      requests: judgments.reduce((n, j) => n + j.attempts, 0),
      usage: sumUsage(judgments.map((j) => j.usage)),
      cost_usd: sumCost(judgments.map((j) => j.cost_usd)),
    },
  };
}

function sumUsage(list: readonly (Usage | null)[]): Usage | undefined {
  const known = list.filter((u): u is Usage => u !== null);
  if (known.length === 0) return undefined;
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0 };
  for (const u of known) {
    usage.prompt_tokens += u.prompt_tokens;
    usage.completion_tokens += u.completion_tokens;
    if (u.estimated) usage.estimated = true;
  }
  return usage;
}

/** Null when any part is unknown: a cost is never silently too low. */
function sumCost(list: readonly (number | null)[]): number | null {
  let micros = 0;
  for (const c of list) {
    if (c === null) return null;
    micros += c * 1e6;
  }
  return Math.round(micros * 1e6) / 1e12;
}

/** The turns' timings summed; TTFT is the first turn's, TPOT the mean of the turns'. */
function sumTiming(list: readonly Timing[], failedAttempts: number): Timing {
  const tpots = list.map((t) => t.tpot_ms).filter((t): t is number => t !== null);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    e2e_ms: round(list.reduce((n, t) => n + t.e2e_ms, 0)),
    ttft_ms: list[0]?.ttft_ms ?? null,
    tpot_ms: tpots.length ? round(tpots.reduce((a, b) => a + b, 0) / tpots.length) : null,
    queue_ms: round(list.reduce((n, t) => n + t.queue_ms, 0)),
    attempts: list.reduce((n, t) => n + t.attempts, 0) + failedAttempts,
  };
}
