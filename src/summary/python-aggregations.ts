import type { HookCaller } from "../python/hooks/hook-caller.js";
import type { PythonHook } from "../python/hooks/hook-ref.js";
import type { ResultFold } from "../types.js";
import { lineValues } from "../metrics/line-scores.js";
import type { MetricValue } from "./summary.js";
import type { PythonItemForm } from "../work/task.js";

/** A metric's Python aggregation: the function, and the Python type each value takes (JSON as it is without one). */
export interface PythonAggregationSpec {
  readonly hook: PythonHook;
  readonly item?: PythonItemForm;
}

/** At most this much JSON text of values is kept for Python aggregations in one run (all keys together). */
export const MAX_PYTHON_VALUE_CHARS = 256 * 1024 * 1024;

/** An aggregation name that is a Python function: the task's `aggregation: !function module.name`, as written. */
export const isPythonAggregation = (name: string | undefined): boolean => name?.startsWith("!function ") === true;

interface Kept {
  readonly task: string;
  readonly model: string;
  readonly key: string;
  readonly items: { readonly id: string; readonly json: string }[];
  dropped: number;
}

/** Ids in natural order; made on first use, as a collator maps ICU's collation data into the process (about 3 MB). */
let byIdCollator: Intl.Collator | undefined;
const byId = (): Intl.Collator => (byIdCollator ??= new Intl.Collator("en", { numeric: true }));

/**
 * Every per-sample value of the metrics a task aggregates in Python, kept until the run ends: lm-eval's
 * aggregation functions (ifeval's `agg_inst_level_acc`, an F1 over all predictions) need all of them at
 * once. Kept as JSON text, at most `maxChars` for the run: past that a metric's values are not kept and
 * its result says so (an endless `--continuous` run refuses such tasks instead). Aggregated in sample-id
 * order (numeric-aware), so a run and its resumed rerun give the same number.
 */
export class PythonValues {
  readonly #kept = new Map<string, Kept>();
  #chars = 0;

  constructor(readonly maxChars = MAX_PYTHON_VALUE_CHARS) {}

  /** The line's values (`lineValues`) of the metrics `wanted` names (those aggregated in Python). */
  add(line: ResultFold, wanted: (metric: string) => boolean): void {
    if (line.status !== "ok") return;
    for (const [key, value] of Object.entries(lineValues(line))) {
      if (!wanted(key.split(",")[0]!)) continue;
      const id = JSON.stringify([line.task, line.model, key]);
      let kept = this.#kept.get(id);
      if (!kept) this.#kept.set(id, (kept = { task: line.task, model: line.model, key, items: [], dropped: 0 }));
      const json = JSON.stringify(value) ?? "null";
      if (kept.dropped > 0 || this.#chars + json.length > this.maxChars) {
        kept.dropped++;
        continue;
      }
      this.#chars += json.length;
      kept.items.push({ id: line.id, json });
    }
  }

  /** Whether any value is kept (a Python aggregation has something to run on). */
  get size(): number {
    return this.#kept.size;
  }

  /** Each kept metric's result when its aggregation cannot run: value NaN, no stderr, n, and `error` saying why. */
  unavailable(reason: string, specOf: (task: string, metric: string) => PythonAggregationSpec | undefined): { task: string; model: string; key: string; value: MetricValue }[] {
    return [...this.#kept.values()].flatMap((kept) => {
      const metric = kept.key.split(",")[0]!;
      const spec = specOf(kept.task, metric);
      if (!spec) return [];
      return [{ task: kept.task, model: kept.model, key: kept.key, value: { value: Number.NaN, stderr: null, n: kept.items.length + kept.dropped, error: `aggregation of ${metric} (${spec.hook.tag}): ${reason}` } }];
    });
  }

  /**
   * Each kept metric aggregated by its task's Python function (`specOf(task, metric)`; each value turned
   * into the Python type the spec names), one request to the worker per metric: value, no stderr (lm-eval reports none for a custom aggregation), n. A function
   * that raises, or returns something other than a number, gives value NaN and `error`.
   */
  async aggregate(caller: HookCaller, specOf: (task: string, metric: string) => PythonAggregationSpec | undefined): Promise<{ task: string; model: string; key: string; value: MetricValue }[]> {
    const out = [];
    for (const kept of this.#kept.values()) {
      const metric = kept.key.split(",")[0]!;
      const spec = specOf(kept.task, metric);
      if (!spec) continue;
      const { hook } = spec;
      const n = kept.items.length + kept.dropped;
      const label = `aggregation of ${metric} (${hook.tag})`;
      let value: MetricValue;
      if (kept.dropped > 0) {
        value = { value: Number.NaN, stderr: null, n, error: `${label}: not computed: its values passed ${this.maxChars} characters of JSON, more than a run keeps for Python aggregations` };
      } else {
        const items = kept.items.sort((a, b) => byId().compare(a.id, b.id)).map((it) => JSON.parse(it.json) as unknown);
        const reply = (await caller.call("aggregate", { hook: caller.keyOf(hook), items, ...(spec.item ? { item: spec.item } : {}) })) as { ok: unknown } | { error: string };
        const result: unknown = "error" in reply ? undefined : typeof reply.ok === "boolean" ? Number(reply.ok) : reply.ok;
        if ("error" in reply) value = { value: Number.NaN, stderr: null, n, error: `${label}: ${reply.error}` };
        else if (typeof result !== "number") value = { value: Number.NaN, stderr: null, n, error: `${label}: returned ${JSON.stringify(result)}, not a number` };
        else value = { value: result, stderr: null, n };
      }
      out.push({ task: kept.task, model: kept.model, key: kept.key, value });
    }
    return out;
  }
}
