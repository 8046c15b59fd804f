import type { OperatorFunction } from "rxjs";
import { type CallOutcome, callHooks, type HookCaller, type MediaHookKind } from "../python/hooks/hook-caller.js";
import { isHookWorkerError } from "../python/hooks/hook-worker.js";
import type { PythonHook } from "../python/hooks/hook-ref.js";
import { isTaskInputError } from "../errors/index.js";
import { DOC_HOOKS, type HookFailure, hookFailure, withHookValues } from "../tasks/hook-values.js";
import type { FewshotPython, Task } from "../work/task.js";
import type { Doc, ResultLine, Sample, SourceItem } from "../types.js";
import { batchAsync } from "./batch-async.js";
import { cutRaw } from "./parse.js";
import { docPosition } from "../work/doc-position.js";

/** Media hooks, and what they yield: the worker encodes a numpy array they return (PNG, or WAV for audio). */
const MEDIA_HOOKS: Partial<Record<string, MediaHookKind>> = { doc_to_image: "image", doc_to_audio: "audio", doc_to_visual: "visual" };

export interface ApplyDocHooksOptions {
  /** The run's hook workers. */
  readonly hooks: HookCaller;
  /** The task a sample belongs to (the run's lookup by its `task` field). */
  readonly taskOf: (sample: Sample) => Task | undefined;
  /** Samples per request to a worker at most (default 64). */
  readonly maxBatch?: number;
}

/**
 * Runs the Python doc hooks of each sample's task (`process_docs`, then `doc_to_text`, `doc_to_target`,
 * `doc_to_choice`) in the hook workers, a batch of samples per request, and emits each sample with its
 * doc replaced by the processed one, carrying the hooks' values (see `hookValue`). Samples of tasks
 * without doc hooks, and rejects, pass through at once.
 *
 * - `process_docs` is given the batch as a dataset (`datasets.Dataset`, or the stand-in): a row-wise
 *   hook (map, filter, select) gives each sample's doc; a doc it filters out becomes a reject naming the
 *   hook; a hook that reorders or makes new rows without keeping each row's origin fails the batch.
 * - A hook that raises: the sample goes on carrying the failure (the hook's key and `!function`, and the
 *   traceback's last line), and the run makes it an error result. A worker that died fails its batch's
 *   samples alike.
 * Order within a batch is kept; batches finish in any order.
 */
export function applyDocHooks(options: ApplyDocHooksOptions): OperatorFunction<SourceItem, SourceItem> {
  const hooked = (item: SourceItem): Task | undefined => {
    if (item.kind !== "sample") return undefined;
    const task = options.taskOf(item.sample);
    const h = task?.hooks;
    return (h && (h.process_docs || DOC_HOOKS.some((k) => h[k]))) || task?.fewshotPython ? task : undefined;
  };
  return batchAsync<SourceItem, SourceItem>({
    maxBatch: options.maxBatch,
    wants: (item) => hooked(item) !== undefined,
    run: async (batch) => {
      const byTask = new Map<Task, Sample[]>();
      for (const item of batch) {
        const task = hooked(item)!;
        const list = byTask.get(task) ?? [];
        list.push((item as Extract<SourceItem, { kind: "sample" }>).sample);
        byTask.set(task, list);
      }
      const outputs = await Promise.all([...byTask].map(([task, samples]) => runTaskBatch(options.hooks, task, samples)));
      return outputs.flat();
    },
  });
}

async function runTaskBatch(caller: HookCaller, task: Task, samples: readonly Sample[]): Promise<SourceItem[]> {
  const hooks = task.hooks ?? {};
  const failed = (sample: Sample, failure: HookFailure): SourceItem => ({ kind: "sample", sample: { ...sample, doc: withHookValues(sample.doc, { values: {}, failure }) } });
  try {
    const fewshot = task.fewshotPython;
    if (fewshot) {
      const poolFailure = await preparePool(caller, fewshot);
      if (poolFailure) return samples.map((s) => failed(s, poolFailure));
    }
    let docs: (Doc | undefined)[] = samples.map((s) => s.doc);
    const out: SourceItem[] = [];
    if (hooks.process_docs) {
      const processed = await processDocs(caller, task, samples);
      if ("failure" in processed) return samples.map((s) => failed(s, processed.failure));
      docs = processed.docs;
      samples.forEach((s, i) => {
        if (docs[i] !== undefined) return;
        out.push({ kind: "reject", reject: { at: s.at, reason: `process_docs (${hooks.process_docs!.tag}) filtered out this doc`, raw: cutRaw(JSON.stringify(s.doc)) } });
      });
    }
    const keys = DOC_HOOKS.filter((k) => hooks[k]);
    const live = samples.flatMap((s, i) => (docs[i] === undefined ? [] : [{ sample: s, doc: docs[i] }]));
    // lmms-eval hands its prompt settings to doc_to_text and to media hooks that take a second argument.
    const extra = task.promptKwargs ? { optionalArgs: [task.promptKwargs] } : {};
    const calls = live.flatMap(({ doc }) =>
      keys.map((k) => {
        const media = MEDIA_HOOKS[k];
        return { hook: hooks[k]!, args: [doc], ...(k === "doc_to_text" || media ? extra : {}), ...(media ? { media } : {}) };
      }),
    );
    const results = await callHooks(caller, calls);
    const made: Doc[] = [];
    live.forEach(({ doc }, i) => {
      const values: Record<string, unknown> = {};
      let failure: HookFailure | undefined;
      keys.forEach((k, j) => {
        const r: CallOutcome = results[i * keys.length + j]!;
        if ("error" in r) failure ??= { hook: k, spec: String(hooks[k]), message: r.error };
        else values[k] = r.ok;
      });
      made.push(withHookValues(doc, failure ? { values, failure } : { values }));
    });
    if (fewshot) await renderExamples(caller, fewshot, made.map((doc, i) => ({ doc, position: docPosition(live[i]!.sample) })));
    live.forEach(({ sample }, i) => {
      let doc = made[i]!;
      const failure = hookFailure(doc) ?? (fewshot ? exampleFailure(fewshot, doc, docPosition(sample)) : undefined);
      if (failure && !hookFailure(doc)) doc = withHookValues(doc, { values: {}, failure });
      out.push({ kind: "sample", sample: { ...sample, doc } });
    });
    return out;
  } catch (error) {
    if (!isHookWorkerError(error)) throw error;
    return samples.map((s) => failed(s, { hook: "worker", spec: "python", message: error.message }));
  }
}

const pools = new WeakMap<FewshotPython, Promise<HookFailure | undefined>>();

/**
 * The few-shot pool, once per task: a `samples` hook's list, or `process_docs` over the split's rows as
 * a whole (as lm-eval processes the split); its failure fails every sample of the task.
 */
function preparePool(caller: HookCaller, fewshot: FewshotPython): Promise<HookFailure | undefined> {
  if (fewshot.ready) return Promise.resolve(undefined);
  let pending = pools.get(fewshot);
  if (!pending) {
    pending = (async (): Promise<HookFailure | undefined> => {
      let docs: unknown;
      let hook: PythonHook;
      if (fewshot.samples) {
        hook = fewshot.samples;
        const [r] = await callHooks(caller, [{ hook }]);
        if ("error" in r!) return { hook: "fewshot_config.samples", spec: String(hook), message: r.error };
        docs = r!.ok;
      } else {
        hook = fewshot.processDocs!;
        const reply = (await caller.call("process_docs", { hook: caller.keyOf(hook), docs: fewshot.given ?? [] })) as { ok: { docs: Doc[] } } | { error: string };
        if ("error" in reply) return { hook: "process_docs (few-shot pool)", spec: String(hook), message: reply.error };
        docs = reply.ok.docs;
      }
      const key = fewshot.samples ? "fewshot_config.samples" : "process_docs (few-shot pool)";
      if (!Array.isArray(docs) || !docs.every((d) => typeof d === "object" && d !== null && !Array.isArray(d))) {
        return { hook: key, spec: String(hook), message: "expected a list of docs (dicts)" };
      }
      try {
        fewshot.setPool(docs as Doc[]);
      } catch (error) {
        if (!isTaskInputError(error)) throw error;
        return { hook: key, spec: String(hook), message: error.message };
      }
      return undefined;
    })();
    // A worker that died while preparing: the next batch tries again.
    pending.catch(() => pools.delete(fewshot));
    pools.set(fewshot, pending);
  }
  return pending;
}

/**
 * The doc_to_* hook values of the few-shot examples the batch's docs draw and no earlier batch did, in
 * one request (lm-eval renders each example with the task's hooks, or fewshot_config's).
 */
async function renderExamples(caller: HookCaller, fewshot: FewshotPython, docs: readonly { doc: Doc; position: number }[]): Promise<void> {
  const keys = (["doc_to_text", "doc_to_target", "doc_to_choice"] as const).filter((k) => fewshot.hooks[k]);
  if (keys.length === 0) return;
  const todo = new Map<number, Doc>();
  for (const { doc, position } of docs) {
    if (hookFailure(doc)) continue;
    try {
      for (const { index, doc: ex } of fewshot.pending(doc, position)) todo.set(index, ex);
    } catch (error) {
      if (!isTaskInputError(error)) throw error; // the prompt reports it (a reject naming the key)
    }
  }
  const examples = [...todo];
  const results = await callHooks(caller, examples.flatMap(([, ex]) => keys.map((k) => ({ hook: fewshot.hooks[k]!, args: [ex] }))));
  examples.forEach(([index], i) => {
    const values: Record<string, unknown> = {};
    let failure: HookFailure | undefined;
    keys.forEach((k, j) => {
      const r: CallOutcome = results[i * keys.length + j]!;
      if ("error" in r) failure ??= { hook: `few-shot example's ${k}`, spec: String(fewshot.hooks[k]), message: r.error };
      else values[k] = r.ok;
    });
    fewshot.supply(index, failure ? { values, failure } : { values });
  });
}

/** The failure of an example `doc` draws, if any (a draw that fails is the prompt's to report). */
function exampleFailure(fewshot: FewshotPython, doc: Doc, position: number): HookFailure | undefined {
  try {
    return fewshot.failure(doc, position);
  } catch (error) {
    if (!isTaskInputError(error)) throw error;
    return undefined;
  }
}

interface ProcessDocsReply {
  readonly docs: Doc[];
  /** Each output doc's input index; null when the hook lost track. */
  readonly origin: number[] | null;
}

/** `process_docs` over a batch: each sample's processed doc (undefined when filtered out), or the batch's failure. */
async function processDocs(caller: HookCaller, task: Task, samples: readonly Sample[]): Promise<{ docs: (Doc | undefined)[] } | { failure: HookFailure }> {
  const hook = task.hooks!.process_docs!;
  const fail = (message: string) => ({ failure: { hook: "process_docs", spec: String(hook), message } });
  const reply = (await caller.call("process_docs", { hook: caller.keyOf(hook), docs: samples.map((s) => s.doc) })) as { ok: ProcessDocsReply } | { error: string };
  if ("error" in reply) return fail(reply.error);
  const { docs, origin } = reply.ok;
  if (!origin) return fail(`process_docs returned ${docs.length} docs for ${samples.length} and did not keep which doc each came from: only row-wise process_docs (map, filter, select) run on a stream`);
  const out: (Doc | undefined)[] = samples.map(() => undefined);
  for (const [j, i] of origin.entries()) {
    if (!Number.isInteger(i) || i < 0 || i >= samples.length || out[i] !== undefined) {
      return fail("process_docs made several docs from one: only row-wise process_docs (map, filter, select) run on a stream");
    }
    out[i] = docs[j];
  }
  return { docs: out };
}

/** The error results of a sample whose hooks failed: one per model and repeat, naming the hook. Pure. */
export function hookFailureLines(sample: Sample, task: Task, failure: HookFailure, models: readonly string[], repeats: number): ResultLine[] {
  const message = `${failure.hook} (${failure.spec}): ${failure.message}`;
  return models.flatMap((model) =>
    Array.from({ length: repeats }, (_, repeat): ResultLine => ({ id: sample.id, task: task.name, model, repeat, status: "error", input: "", error: { type: "hook_error", message, attempts: 0 } })),
  );
}
