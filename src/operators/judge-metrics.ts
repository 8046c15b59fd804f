import { from, mergeMap, of, type OperatorFunction } from "rxjs";
import { isTaskInputError } from "../errors/task-input-error.js";
import { askJudge, type JudgeReply, type JudgeSettings } from "../scorers/judge.js";
import { parseVerdict } from "../scorers/verdict.js";
import { replyTail } from "../scorers/reply-tail.js";
import { splitReasoning } from "../tasks/filters/strip-reasoning.js";
import type { JudgeConfig } from "../tasks/conversation-keys.js";
import { contentText } from "../media/content-parts.js";
import type { ChatMessage, ContentPart, ErrorInfo, MediaRef, ResultLine, Usage } from "../types.js";
import type { MetricSpec, Task } from "../work/task.js";
import { type CutOffCause, type Outcome, outcomeOf, type Prepared } from "../work/work-item.js";
import type { PipelineContext } from "./pipeline-context.js";

/** FastChat's judge settings, used when the task has no `judge` block. */
const DEFAULT_SETTINGS: JudgeSettings = { temperature: 0, max_tokens: 2048 };

/** One judge metric's verdict on one filter's answer, as the result line shows it under `judgments`. */
export interface JudgmentView {
  readonly score: number | null;
  /** The verdict token read (`PASS`, `8`, `B+`); null when the reply had none. */
  readonly verdict: string | null;
  /** The judge's reply. */
  readonly judgment: string | null;
  readonly cached?: true;
}

/**
 * Scores judge metrics (`llm_judge`): for each judge metric of the task and each filter of an ok
 * line, the filtered answer (its `<think>` reasoning removed unless the metric says not to) is put in
 * the metric's prompt with the sample's fields, `input` and `target`, and sent to the run's judge; the
 * verdict read from its reply (the last well-formed one on the metric's scale) is the score under
 * `<name>,<filter>`. The line also gets `judgments` (per key: score, verdict, the judge's reply) and
 * `judge` (the judge model, its requests, usage and cost, added to any the pipeline already made).
 *
 * Identical prompts (filters that agree) share one call. A judge call that fails after its retries, a
 * reply with no verdict (`judge_unparseable`) or a prompt the sample cannot fill makes the line an
 * error, never a silent 0: a rerun judges it again; a judge call cut off by the run's end (budget,
 * interrupt) makes the outcome cut off, so the sample stays undone. Lines of other tasks, error lines
 * and cut-off outcomes pass through unchanged; outcomes come out in completion order.
 */
export function judgeMetrics<P extends Prepared>(context: PipelineContext): OperatorFunction<Outcome<P>, Outcome<P>> {
  return mergeMap((outcome) => {
    const metrics = outcome.work.task.metrics.filter((m) => m.judge);
    if (metrics.length === 0 || outcome.kind !== "done" || outcome.line.status !== "ok") return of(outcome);
    return from(judgeLine(context, outcome, metrics).then(({ line, cutOff }) => outcomeOf(outcome.work, line, cutOff)));
  });
}

async function judgeLine(context: PipelineContext, outcome: Outcome, metrics: readonly MetricSpec[]): Promise<{ line: ResultLine; cutOff?: CutOffCause }> {
  const { line, work } = outcome;
  const judge = context.judge;
  if (!judge) return failedLine(line, { type: "no_judge", message: `task ${work.task.name} is graded by a judge: set --judge-model (or judge.model in the task)`, attempts: 0 });
  const settings = settingsOf(work.task);
  const answers = Object.entries(line.filtered ?? { none: line.response ?? "" });
  const calls = new Map<string, Promise<JudgeReply>>();
  const asked: { key: string; reply: Promise<JudgeReply>; metric: MetricSpec }[] = [];
  try {
    for (const metric of metrics) {
      for (const [filter, answer] of answers) {
        const spec = metric.judge!;
        const response = spec.stripReasoning ? splitReasoning(answer).answer : answer;
        const text = spec.messages({ ...work.sample.doc, doc: work.sample.doc, input: line.input, response, target: line.target ?? "", ...(line.targets ? { targets: line.targets } : {}), ...(line.transcript ? { transcript: line.transcript } : {}) });
        const messages = spec.withMedia ? withSampleMedia(text, work.prepared.media ?? []) : text;
        const id = JSON.stringify(messages);
        let reply = calls.get(id);
        const scale = spec.scale;
        const verdict = { readable: (written: string) => parseVerdict(written, scale) !== null, retries: verdictRetriesOf(work.task) };
        if (!reply) calls.set(id, (reply = askJudge(judge, settings, messages, { id: work.key.id, signal: context.signal, onFatal: (m) => context.stop("fatal", m), verdict })));
        asked.push({ key: `${metric.name},${filter}`, reply, metric });
      }
    }
  } catch (e) {
    if (!isTaskInputError(e)) throw e;
    return failedLine(line, { type: "judge_prompt", message: `judge prompt: ${e.message}`, attempts: 0 });
  }
  const replies = await Promise.all(asked.map((a) => a.reply));
  // Each call once, for the totals (filters that agree shared one).
  const settled = await Promise.all(calls.values());
  const judged: ResultLine = { ...line, judge: judgeTotals(line.judge, judge.model, settled) };
  const scores: Record<string, number> = { ...line.scores };
  const judgments: Record<string, JudgmentView> = {};
  let error: ErrorInfo | undefined;
  asked.forEach(({ key, metric }, i) => {
    const reply = replies[i]!;
    if (reply.error) {
      error ??= { ...reply.error, message: `judging ${key}: ${reply.error.message}` };
      return;
    }
    const verdict = parseVerdict(reply.text ?? "", metric.judge!.scale);
    judgments[key] = { score: verdict?.score ?? null, verdict: verdict?.label ?? null, judgment: reply.text, ...(reply.cached ? { cached: true as const } : {}) };
    if (verdict) scores[key] = verdict.score;
    else error ??= { type: "judge_unparseable", message: `judging ${key}: no ${metric.judge!.scale} verdict in the judge's reply (${replyTail(reply.text ?? "")})`, attempts: reply.attempts };
  });
  const withJudgments = { ...judged, judgments };
  // A judge call cut off by the run's end (budget, interrupt) leaves the sample undone, not failed.
  const cutOff = settled.find((r) => r.cutOff)?.cutOff;
  if (error) return { line: failed(withJudgments, error), ...(cutOff ? { cutOff } : {}) };
  return { line: { ...withJudgments, scores } };
}

/** How often a reply with no readable verdict is asked again: the task's `judge.verdict_retries`, else 1. */
function verdictRetriesOf(task: Task): number {
  return (task.config.judge as JudgeConfig | undefined)?.verdict_retries ?? 1;
}

/** The judge's messages with the sample's media before the text of the last user message (`with_media`). */
function withSampleMedia(messages: ChatMessage[], media: readonly MediaRef[]): ChatMessage[] {
  if (media.length === 0) return messages;
  const last = messages.findLastIndex((m) => m.role === "user");
  const parts: ContentPart[] = media.map((m) => ({ type: "media", media: m }));
  return messages.map((m, i) => (i === last ? { ...m, content: [...parts, { type: "text", text: contentText(m.content) }] } : m));
}

function failedLine(line: ResultLine, error: ErrorInfo): { line: ResultLine } {
  return { line: failed(line, error) };
}

/** The task's `judge` block's sampling settings, else FastChat's. */
function settingsOf(task: Task): JudgeSettings {
  const config = task.config.judge as JudgeConfig | undefined;
  return config ? { temperature: config.temperature, max_tokens: config.max_tokens } : DEFAULT_SETTINGS;
}

function failed(line: ResultLine, error: ErrorInfo): ResultLine {
  const { scores: _scores, ...rest } = line;
  return { ...rest, status: "error", error };
}

/** The line's judge totals with these replies added (a multi-turn line may already hold MT-Bench's). */
function judgeTotals(existing: unknown, model: string, replies: readonly JudgeReply[]): Record<string, unknown> {
  const before = (typeof existing === "object" && existing !== null ? existing : {}) as { requests?: number; usage?: Usage; cost_usd?: number | null };
  const usage: Usage = { prompt_tokens: before.usage?.prompt_tokens ?? 0, completion_tokens: before.usage?.completion_tokens ?? 0 };
  let known = before.usage !== undefined;
  let cost: number | null = before.cost_usd === undefined ? 0 : before.cost_usd;
  for (const r of replies) {
    if (r.usage) {
      usage.prompt_tokens += r.usage.prompt_tokens;
      usage.completion_tokens += r.usage.completion_tokens;
      if (r.usage.estimated) usage.estimated = true;
      known = true;
    }
    // Unknown for any part: the total is unknown, never silently too low.
    cost = cost === null || r.cost_usd === null ? null : Math.round((cost + r.cost_usd) * 1e12) / 1e12;
  }
  return { model, requests: (before.requests ?? 0) + replies.reduce((n, r) => n + r.attempts, 0), ...(known ? { usage } : {}), cost_usd: cost };
}
