import { createHash } from "node:crypto";
import type { GroupSpec } from "../summary/groups.js";
import type { Summary } from "../summary/summary.js";
import type { MetricSpec, PythonItemForm } from "../work/task.js";

/**
 * What makes a run's results what they are — the same inputs as the core's `runFingerprint`, kept
 * apart so a resume under an explicit `--run` can say which of them changed.
 */
export interface RunIdentity {
  /** Task name → sha256 (first 16 hex) of the task file's text. */
  readonly tasks: Readonly<Record<string, string>>;
  readonly models: readonly string[];
  readonly endpoint: string | null;
  /** The `--repeats` override, or null for each task's own. */
  readonly repeats: number | null;
  /** Anything else that changes results, by name (`routing rules` → a hash of the file …). */
  readonly extras?: Readonly<Record<string, string>>;
}

/** What `runs export` needs to rebuild the summary without the task files. */
export interface TaskMeta {
  readonly name: string;
  /** Metric name → aggregation name (`mean` …). */
  readonly aggregations: Readonly<Record<string, string>>;
  /**
   * Metric name → its `aggregation: !function` (where the function is, and the Python type of each
   * value), so a summary rebuilt from the records can run it again in a hook worker.
   */
  readonly python_aggregations?: Readonly<Record<string, StoredPythonAggregation>>;
}

/** A Python aggregation as the store keeps it: the `!function` spec, the folder it resolves from, where it was written. */
export interface StoredPythonAggregation {
  readonly spec: string;
  readonly dir: string;
  readonly file: string;
  readonly line?: number;
  readonly key?: string;
  readonly item?: PythonItemForm;
}

/**
 * How a run's last session ended: `complete` (every sample ok), `incomplete` (some ended as errors; a
 * rerun retries them), `interrupted`, `budget`, `fatal`, `failed` (a run-ending error: strict input, unreadable source). `running` seen by anyone who could open the
 * store means the process died mid-run (it held the lock otherwise): `runs` shows it as `crashed`.
 */
export type RunStatus = "running" | "complete" | "incomplete" | "interrupted" | "budget" | "fatal" | "failed";

/** The `runs` record of one run. Never holds a secret: options are the ones that are safe to show. */
export interface RunMeta {
  readonly run: string;
  readonly identity: RunIdentity;
  readonly tasks: readonly TaskMeta[];
  /** The groups over the tasks (group files), so a rebuilt summary reports them too. */
  readonly groups?: readonly GroupSpec[];
  readonly models: readonly string[];
  /** Options worth showing (inputs, concurrency, limit …); never an API key. */
  readonly options: Readonly<Record<string, unknown>>;
  /** ISO times: the first start, the last session's start, its end (null while running). */
  readonly created_at: string;
  readonly started_at: string;
  readonly ended_at: string | null;
  /** Sessions that worked on this run (1 + resumes). */
  readonly sessions: number;
  readonly status: RunStatus;
  /** At the last session's end: results recorded as done (ok) and as errors (retried on a rerun). */
  readonly counts: { readonly ok: number; readonly error: number };
  /**
   * How its done records are kept (RunStore): 2, in the order they were made with a work-key index; 1 (or
   * absent, in a store written before layout 2), under their work keys. A run keeps its layout until cleared.
   */
  readonly store_layout?: 1 | 2;
  /** The last session's summary (it covers the whole run), absent while running or after a crash. */
  readonly summary?: Summary;
}

/** What the store keeps of a task: its name and its metrics' aggregations (Python ones with where their function is). */
export function taskMeta(task: { readonly name: string; readonly metrics: readonly Pick<MetricSpec, "name" | "aggregation" | "pythonAggregation" | "pythonItem">[] }): TaskMeta {
  const python = task.metrics.flatMap((m) => {
    const h = m.pythonAggregation;
    if (!h) return [];
    const stored: StoredPythonAggregation = { spec: h.spec, dir: h.dir, file: h.file, ...(h.line === undefined ? {} : { line: h.line }), ...(h.key ? { key: h.key } : {}), ...(m.pythonItem ? { item: m.pythonItem } : {}) };
    return [[m.name, stored] as const];
  });
  return { name: task.name, aggregations: Object.fromEntries(task.metrics.map((m) => [m.name, m.aggregation])), ...(python.length ? { python_aggregations: Object.fromEntries(python) } : {}) };
}

/** The identity of a run from what changes its results. */
export function runIdentity(input: {
  readonly tasks: readonly { readonly name: string; readonly origin: { readonly text: string } }[];
  readonly models: readonly string[];
  readonly endpoint?: string | null;
  readonly repeats?: number | null;
  /** Other inputs that change results, by name; each is kept as a hash of its text. */
  readonly extras?: Readonly<Record<string, string | undefined>>;
}): RunIdentity {
  const tasks: Record<string, string> = {};
  for (const t of input.tasks) tasks[t.name] = hash(t.origin.text);
  const extras: Record<string, string> = {};
  for (const [name, text] of Object.entries(input.extras ?? {})) if (text !== undefined) extras[name] = hash(text);
  return { tasks, models: [...input.models], endpoint: input.endpoint ?? null, repeats: input.repeats ?? null, ...(Object.keys(extras).length ? { extras } : {}) };
}

const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/**
 * What differs between the identity a run was recorded with and the one it is resumed with, one
 * readable phrase each (empty when nothing that changes results differs). E.g.
 * `task gsm8k's text changed`, `models: a, b → a, c`, `repeats: task default → 3`.
 */
export function identityChanges(before: RunIdentity, after: RunIdentity): string[] {
  const changes: string[] = [];
  const names = new Set([...Object.keys(before.tasks), ...Object.keys(after.tasks)]);
  for (const name of names) {
    const a = before.tasks[name];
    const b = after.tasks[name];
    if (a === undefined) changes.push(`task ${name} added`);
    else if (b === undefined) changes.push(`task ${name} removed`);
    else if (a !== b) changes.push(`task ${name}'s text changed`);
  }
  if (before.models.join("\0") !== after.models.join("\0")) changes.push(`models: ${before.models.join(", ")} → ${after.models.join(", ")}`);
  if (before.endpoint !== after.endpoint) changes.push(`endpoint: ${before.endpoint ?? "default"} → ${after.endpoint ?? "default"}`);
  if (before.repeats !== after.repeats) changes.push(`repeats: ${before.repeats ?? "task default"} → ${after.repeats ?? "task default"}`);
  const [x, y] = [before.extras ?? {}, after.extras ?? {}];
  for (const name of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (x[name] === undefined) changes.push(`${name} added`);
    else if (y[name] === undefined) changes.push(`${name} removed`);
    else if (x[name] !== y[name]) changes.push(`${name} changed`);
  }
  return changes;
}
