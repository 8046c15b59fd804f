import { callHooks, type HookCaller } from "../python/hooks/hook-caller.js";
import type { Doc } from "../types.js";
import type { FilterStepSpec, MetricSpec, Task } from "../work/task.js";
import { type Gold, scoreGold } from "./score.js";

/** One sample of a task scored in Python: its doc, its responses (every repeat's, in order) and its gold. */
export interface PythonScoringItem {
  readonly doc: Doc;
  readonly responses: readonly string[];
  readonly gold: Gold;
}

/**
 * What a sample scores: each filter's answer (text; a list or other value as its JSON), the numbers
 * aggregated in TypeScript (`scores`), and the values a Python aggregation takes (`values`), each
 * under `metric,filter`. Or why it cannot be scored: the hook and the traceback's last line.
 */
export type PythonScored =
  | { readonly filtered: Record<string, string>; readonly scores: Record<string, number>; readonly values: Record<string, unknown> }
  | { readonly error: string };

/**
 * Scores samples of one task as lm-eval's generate_until does, with the task's Python parts run by the
 * hook worker: each `filter_list` pipeline over all the sample's responses (Python steps once per step
 * for the whole batch, as lm-eval applies a filter to every instance at once; `take_first` yields the
 * first answer itself), then `process_results(doc, [answer])` when the task has it, else each metric —
 * a `metric: !function` called as lm-eval calls it, a built-in one in TypeScript. A value whose metric
 * has a Python aggregation goes to `values`, any JSON; every other value must be a number (booleans
 * count 0/1).
 */
export async function scoreInPython(caller: HookCaller, task: Task, items: readonly PythonScoringItem[]): Promise<PythonScored[]> {
  const errors: (string | undefined)[] = items.map(() => undefined);
  const filtered = new Map<string, unknown[]>();
  for (const filter of task.filters) {
    filtered.set(filter.name, filter.python ? await applyPythonPipeline(caller, filter.name, filter.python, items, errors) : items.map((it) => filter.apply(it.responses, it.doc)[0] ?? ""));
  }
  const raw: Record<string, unknown>[] = items.map(() => ({}));
  const hooks = task.hooks;
  if (hooks?.process_results) {
    await scoreWith(caller, items, errors, filtered, raw, (it, answer) => ({ kind: "call", call: { hook: hooks.process_results!, args: [it.doc, [answer]] } }), `process_results (${hooks.process_results.tag})`);
  } else {
    for (const metric of task.metrics) {
      if (metric.python) {
        const { hook, options } = metric.python;
        await scoreWith(caller, items, errors, filtered, raw, (it, answer) => ({ kind: "metric", call: { hook: caller.keyOf(hook), name: metric.name, gold: it.gold, result: answer, kwargs: options, multiple: Array.isArray(it.gold) } }), `metric ${metric.name} (${hook.tag})`);
      } else {
        builtinScores(metric, items, errors, filtered, raw);
      }
    }
  }
  return items.map((_, i): PythonScored => {
    const error = errors[i];
    if (error !== undefined) return { error };
    const split = splitValues(task.metrics, raw[i]!);
    if (typeof split === "string") return { error: `${hooks?.process_results ? `process_results (${hooks.process_results.tag})` : "metric"}: ${split}` };
    const answers = Object.fromEntries([...filtered].map(([name, values]) => [name, asText(values[i])]));
    return { filtered: answers, ...split };
  });
}

/**
 * A sample's metric values as the summary takes them: under a Python aggregation, any JSON (`values`);
 * else numbers (`scores`; a boolean counts 0/1), or the reason one is not.
 */
export function splitValues(metrics: readonly MetricSpec[], dict: Readonly<Record<string, unknown>>): { scores: Record<string, number>; values: Record<string, unknown> } | string {
  const scores: Record<string, number> = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) {
    const name = key.slice(0, key.includes(",") ? key.indexOf(",") : undefined);
    const metric = metrics.find((m) => m.name === name);
    // Python aggregations take any JSON; passthrough metrics (bleu …) their [reference, prediction] item.
    if (metric?.pythonAggregation || metric?.passthrough) {
      values[key] = value;
      continue;
    }
    const n: unknown = typeof value === "boolean" ? Number(value) : value;
    if (typeof n !== "number") return `returned ${describe(value)} for \`${name}\`, whose aggregation takes numbers (give it \`aggregation: !function module.name\` to aggregate other values in Python)`;
    scores[key] = n;
  }
  return { scores, values };
}

const describe = (v: unknown): string => (v === null ? "None" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a dict" : `a ${typeof v}`);

/** A filter's answer on a result line: text as it is, anything else (a list of programs …) as JSON. */
const asText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "");

async function applyPythonPipeline(caller: HookCaller, name: string, steps: readonly FilterStepSpec[], items: readonly PythonScoringItem[], errors: (string | undefined)[]): Promise<unknown[]> {
  let values: unknown[] = items.map((it) => [...it.responses]);
  for (const step of steps) {
    const live = items.flatMap((_, i) => (errors[i] === undefined ? [i] : []));
    if (live.length === 0) break;
    if (step.kind === "builtin") {
      for (const i of live) {
        const v = values[i];
        if (!Array.isArray(v) || !v.every((r) => typeof r === "string")) {
          errors[i] = `filter \`${name}\`: step \`${step.name}\` takes a list of texts, and the step before gave ${describe(v)}`;
          continue;
        }
        const out = step.apply(v, items[i]!.doc);
        // lm-eval's take_first yields the first answer itself, not a list of one.
        values[i] = step.name === "take_first" ? (out[0] ?? "") : out;
      }
      continue;
    }
    const reply = (await caller.call("filter", {
      hook: caller.keyOf(step.hook),
      kind: step.form,
      args: step.args,
      resps: live.map((i) => values[i]),
      docs: live.map((i) => items[i]!.doc),
    })) as { ok: unknown[] } | { error: string };
    if ("error" in reply) {
      for (const i of live) errors[i] = `filter \`${name}\` (${step.hook.tag}): ${reply.error}`;
      break;
    }
    values = [...values];
    live.forEach((i, j) => (values[i] = reply.ok[j]));
  }
  return values;
}

type Planned = { kind: "call"; call: Parameters<typeof callHooks>[1][number] } | { kind: "metric"; call: Record<string, unknown> };

/** One Python call per live sample and filter; each returned dict's keys go under `key,filter`. */
async function scoreWith(
  caller: HookCaller,
  items: readonly PythonScoringItem[],
  errors: (string | undefined)[],
  filtered: ReadonlyMap<string, unknown[]>,
  raw: Record<string, unknown>[],
  plan: (item: PythonScoringItem, answer: unknown) => Planned,
  label: string,
): Promise<void> {
  const jobs = items.flatMap((it, i) => (errors[i] === undefined ? [...filtered].map(([filter, values]) => ({ i, filter, planned: plan(it, values[i]) })) : []));
  if (jobs.length === 0) return;
  const outcomes =
    jobs[0]!.planned.kind === "call"
      ? await callHooks(caller, jobs.map((j) => (j.planned as Extract<Planned, { kind: "call" }>).call))
      : ((await caller.call("metric", { calls: jobs.map((j) => j.planned.call) })) as ({ ok: unknown } | { error: string })[]);
  jobs.forEach(({ i, filter }, j) => {
    if (errors[i] !== undefined) return;
    const r = outcomes[j]!;
    if ("error" in r) {
      errors[i] = `${label}: ${r.error}`;
      return;
    }
    const dict = r.ok;
    if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
      errors[i] = `${label}: returned ${describe(dict)}, not a dict of metric values`;
      return;
    }
    for (const [metric, value] of Object.entries(dict)) raw[i]![`${metric},${filter}`] = value;
  });
}

/** A built-in metric (exact_match …) on each filter's answer, which must be text here. */
function builtinScores(metric: MetricSpec, items: readonly PythonScoringItem[], errors: (string | undefined)[], filtered: ReadonlyMap<string, unknown[]>, raw: Record<string, unknown>[]): void {
  items.forEach((it, i) => {
    for (const [filter, values] of filtered) {
      if (errors[i] !== undefined) return;
      const answer = values[i];
      if (typeof answer !== "string") {
        errors[i] = `metric ${metric.name} scores a text answer, and filter \`${filter}\` gave ${describe(answer)}`;
        return;
      }
      // lm-eval records a passthrough metric's [gold, answer] for its corpus-level aggregation.
      const value = metric.scoreSample ? metric.scoreSample(answer, it.gold, it.doc) : metric.passthrough ? [it.gold, answer] : scoreGold(metric, answer, it.gold);
      if (value !== undefined) raw[i]![`${metric.name},${filter}`] = value;
    }
  });
}
