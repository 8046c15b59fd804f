import { readFile, stat } from "node:fs/promises";
import type { ResultLine } from "../types.js";
import { lineScores } from "../metrics/line-scores.js";
import { StringTable } from "./string-table.js";

/**
 * The sample browser's data: one entry per result line in each column (strings as StringTable
 * indices, -1 for none; numbers or null). Columnar and interned, it gzips to a small fraction of the
 * result lines (see docs/report-and-compare.md for sizes).
 */
export interface SampleColumns {
  strings: string[];
  run: number[];
  task: number[];
  id: number[];
  model: number[];
  repeat: number[];
  /** 1 ok, 0 error. */
  ok: number[];
  category: number[];
  input: number[];
  /** JSON of the conversation (`transcript`: messages with tool calls), when the line has one. */
  transcript: number[];
  response: number[];
  filtered: number[];
  target: number[];
  /** JSON of the line's scores (a sample's scores over its repeats). */
  scores: number[];
  /** The task's main metric for this line (see `mainMetric`), or null. */
  main: (number | null)[];
  /** 1 right, 0 wrong (a 0/1 main metric), -1 neither (an error, or a task whose main metric is graded, such as a judge score). */
  correct: number[];
  /** 1 when the models of this run disagree on this sample's main metric. */
  disagree: number[];
  /** JSON of the judge's per-turn ratings and judgments, when the line has them. */
  judge: number[];
  errorType: number[];
  errorMessage: number[];
  promptTokens: (number | null)[];
  completionTokens: (number | null)[];
  cost: (number | null)[];
  e2e: (number | null)[];
  ttft: (number | null)[];
  tpot: (number | null)[];
  queue: (number | null)[];
  attempts: (number | null)[];
  endedAt: number[];
  /** JSON of the line's media references, images as data URLs when the file could be read. */
  media: number[];
}

/** Largest image file inlined as a thumbnail (bigger ones are shown by their path). */
const MAX_INLINE_IMAGE = 256 * 1024;

export class SampleColumnsBuilder {
  readonly #t = new StringTable();
  readonly #c: SampleColumns;
  /** run|task|id|repeat → first row and the distinct main values seen. */
  readonly #groups = new Map<string, { rows: number[]; values: Set<string> }>();
  /** Tasks (string index) whose main metric took a value other than 0 and 1: no right or wrong there. */
  readonly #graded = new Set<number>();

  constructor() {
    const cols = ["run", "task", "id", "model", "repeat", "ok", "category", "input", "transcript", "response", "filtered", "target", "scores", "main", "correct", "disagree", "judge", "errorType", "errorMessage", "promptTokens", "completionTokens", "cost", "e2e", "ttft", "tpot", "queue", "attempts", "endedAt", "media"] as const;
    const columns: Record<string, unknown[]> = { strings: this.#t.strings };
    for (const c of cols) columns[c] = [];
    this.#c = columns as unknown as SampleColumns;
  }

  get size(): number {
    return this.#c.run.length;
  }

  /** Adds one result line of run number `run`; `mainMetric` names its task's main metric. */
  async add(run: number, line: ResultLine, mainMetric: string | undefined): Promise<void> {
    const t = this.#t;
    const c = this.#c;
    const scores = lineScores(line);
    const main = mainMetric === undefined ? undefined : scores[mainMetric];
    c.run.push(run);
    c.task.push(t.add(line.task));
    c.id.push(t.add(line.id));
    c.model.push(t.add(line.model));
    c.repeat.push(line.repeat);
    c.ok.push(line.status === "ok" ? 1 : 0);
    c.category.push(t.add(typeof line.category === "string" ? line.category : undefined));
    c.input.push(t.add(line.input));
    c.transcript.push(t.addJson(Array.isArray(line.transcript) ? line.transcript : undefined));
    c.response.push(t.add(line.response));
    c.filtered.push(t.addJson(line.filtered));
    c.target.push(t.add(line.target));
    c.scores.push(t.addJson(scores));
    c.main.push(main ?? null);
    c.correct.push(main === 1 ? 1 : main === 0 ? 0 : -1);
    if (main !== undefined && main !== 0 && main !== 1) this.#graded.add(c.task[c.task.length - 1]!);
    c.disagree.push(0);
    c.judge.push(t.addJson(judgeOf(line)));
    c.errorType.push(t.add(line.error?.type));
    c.errorMessage.push(t.add(line.error?.message));
    c.promptTokens.push(line.usage?.prompt_tokens ?? null);
    c.completionTokens.push(line.usage?.completion_tokens ?? null);
    c.cost.push(typeof line.cost_usd === "number" ? round(line.cost_usd, 9) : null);
    c.e2e.push(round(line.timing?.e2e_ms, 1));
    c.ttft.push(round(line.timing?.ttft_ms, 1));
    c.tpot.push(round(line.timing?.tpot_ms, 2));
    c.queue.push(round(line.timing?.queue_ms, 1));
    c.attempts.push(line.timing?.attempts ?? null);
    c.endedAt.push(typeof line.ended_at === "string" ? Date.parse(line.ended_at) || 0 : 0);
    c.media.push(t.addJson(Array.isArray(line.media) && line.media.length > 0 ? await inlineMedia(line.media) : undefined));
    const key = JSON.stringify([run, line.task, line.id, line.repeat]);
    let g = this.#groups.get(key);
    if (!g) this.#groups.set(key, (g = { rows: [], values: new Set() }));
    g.rows.push(this.size - 1);
    g.values.add(main === undefined ? "none" : String(main));
  }

  /** The columns, with `disagree` set where one sample's models got different main scores. */
  build(): SampleColumns {
    for (const g of this.#groups.values()) if (g.rows.length > 1 && g.values.size > 1) for (const r of g.rows) this.#c.disagree[r] = 1;
    // A judge's 1 out of 10 is not "right": a graded task's rows are neither right nor wrong.
    if (this.#graded.size > 0) for (let r = 0; r < this.size; r++) if (this.#graded.has(this.#c.task[r]!)) this.#c.correct[r] = -1;
    this.#groups.clear();
    return this.#c;
  }
}

function judgeOf(line: ResultLine): unknown {
  if (!Array.isArray(line.turns)) return undefined;
  const turns = (line.turns as { turn?: number; judge?: { rating?: unknown; judgment?: unknown } }[]).filter((t) => t.judge);
  return turns.length ? turns.map((t) => ({ turn: t.turn, rating: t.judge?.rating ?? null, judgment: t.judge?.judgment ?? null })) : undefined;
}

interface MediaRef {
  type?: unknown;
  source?: unknown;
  sha256?: unknown;
  bytes?: unknown;
}

/** Media references with each readable local image (up to 256 KB) as a data URL, for a thumbnail. */
async function inlineMedia(media: readonly unknown[]): Promise<unknown[]> {
  return Promise.all(
    media.map(async (m) => {
      const ref = (m ?? {}) as MediaRef;
      const out: Record<string, unknown> = { type: ref.type, source: ref.source, sha256: ref.sha256, bytes: ref.bytes };
      const source = typeof ref.source === "string" ? ref.source : "";
      if (ref.type === "image" && source.startsWith("data:image/")) out.src = source;
      else if (ref.type === "image" && source && !/^[a-z]+:\/\//i.test(source)) {
        try {
          const path = source.startsWith("file:") ? new URL(source) : source;
          if ((await stat(path)).size <= MAX_INLINE_IMAGE) out.src = `data:${imageType(source)};base64,${(await readFile(path)).toString("base64")}`;
        } catch {
          // Not readable here: the browser shows its path instead of a thumbnail.
        }
      }
      return out;
    }),
  );
}

function imageType(path: string): string {
  const ext = path.toLowerCase().split(".").pop();
  return ext === "jpg" || ext === "jpeg" ? "image/jpeg" : ext === "gif" ? "image/gif" : ext === "webp" ? "image/webp" : "image/png";
}

function round(v: number | null | undefined, digits: number): number | null {
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
