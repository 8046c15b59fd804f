import { setMaxListeners } from "node:events";
import { EMPTY, finalize, identity, map, merge, mergeMap, Observable, type OperatorFunction, of, Subject, takeUntil, takeWhile, tap } from "rxjs";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import type { BudgetAccount, BudgetLimits } from "./cost/budget.js";
import type { BudgetGate } from "./cost/budget-gate.js";
import type { Price } from "./cost/price.js";
import { type PriceSource, unknownPriceMessage } from "./cost/resolve-prices.js";
import { checkBudget, createRunBudget } from "./cost/run-budget.js";
import { isTaskInputError } from "./errors/task-input-error.js";
import { deferredResult, type EvalEvent, resumedResult } from "./events.js";
import { Demand, pullSource } from "./io/demand.js";
import type { SourceLine } from "./io/read-lines.js";
import type { ModelClient } from "./work/model.js";
import { applyDocHooks, hookFailureLines } from "./operators/apply-doc-hooks.js";
import { applyResultHooks } from "./operators/apply-result-hooks.js";
import { scoreLinesInPython } from "./operators/score-in-python.js";
import { type DetectDuplicatesOptions, detectDuplicates } from "./operators/detect-duplicates.js";
import { expand, type PreparedSample } from "./operators/expand.js";
import { parse } from "./operators/parse.js";
import { gatherRepeats, RepeatGatherer } from "./operators/gather-repeats.js";
import { record, type ResultRecorder } from "./operators/record.js";
import { route } from "./operators/route.js";
import { recordRoute, routeModels } from "./operators/route-models.js";
import { type CompletedLookup, skipCompleted } from "./operators/skip-completed.js";
import { type DeferredLine, type RecordLookup, resumeRecorded, type ResumedLine } from "./operators/resume-recorded.js";
import { stampFingerprint, workFingerprint } from "./operators/work-fingerprint.js";
import { stampResult } from "./operators/stamp-result.js";
import { defaultPipelines } from "./pipelines/registry.js";
import type { Outcome, WorkItem } from "./work/work-item.js";
import type { PipelineContext } from "./operators/pipeline-context.js";
import type { PipelineRegistry } from "./pipelines/types.js";
import { createDispatchers, type ReliabilityOptions } from "./reliability/create-dispatchers.js";
import type { HookCaller } from "./python/hooks/hook-caller.js";
import type { Dispatcher } from "./reliability/dispatcher.js";
import { ConnectWatch } from "./reliability/connect-watch.js";
import { cachedDispatcher } from "./cache/cached-dispatcher.js";
import type { ResponseCache } from "./cache/response-cache.js";
import type { RouteRule } from "./routing/types.js";
import type { ConversationState } from "./work/conversation-state.js";
import type { CodeSandbox } from "./python/sandbox/code-sandbox.js";
import type { Judge } from "./scorers/judge.js";
import { hookFailure } from "./tasks/hook-values.js";
import { checkCodeExecutionAllowed } from "./tasks/code-execution.js";
import { effectiveRepeats, type Task } from "./work/task.js";
import type { Reject, ResultLine, Sample, SourceItem } from "./types.js";
import type { ImageTokenRule } from "./media/image-tokens.js";

/** A model to evaluate, with how to reach it. */
export interface ModelTarget {
  readonly client: ModelClient;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number;
  /** USD per 1M tokens; null or absent: cost unknown. */
  readonly price?: Price | null;
  /** Where the price came from (`resolvePrices`), as the summary reports it. */
  readonly priceSource?: PriceSource;
  /** Base URL: named in fatal error messages; models on one endpoint share a circuit breaker. */
  readonly endpoint?: string;
  /** Retries, deadlines, rate limits, breaker settings (src/reliability). */
  readonly reliability?: ReliabilityOptions;
  /** Serves this model's samples when it cannot (retries spent, breaker open too long). Off unless set. */
  readonly fallback?: ModelTarget;
  /** Context window in tokens, for conversation tasks' `context_window` management. */
  readonly contextWindow?: number;
  /** How the model bills images (the budget's worst case counts them by it); absent: OpenAI's tile rule. */
  readonly imageTokens?: ImageTokenRule;
}

/** What `evaluate` runs: the input lines, the tasks and models, and how (limits, budget, routing, checkpoint). */
export interface EvaluateOptions {
  /** Input lines (see `readLines`/`openInputs`, or `docsToLines` for objects made in code). */
  readonly input: AsyncIterable<SourceLine>;
  readonly tasks: readonly Task[];
  /**
   * The tasks come from a group file: a line names its task by its `task` field or by its file's
   * name (`mmlu_anatomy.jsonl`); a line doing neither is rejected (it would land in the first task).
   */
  readonly taskRequired?: boolean;
  readonly models: readonly ModelTarget[];
  /** Pipelines by output_type (default: the bundled ones). */
  readonly pipelines?: PipelineRegistry;
  /** Only the first N samples. */
  readonly limit?: number;
  /** Overrides every task's `repeats`. */
  readonly repeats?: number;
  /** The first rejected line fails the run (InputRejectedError) instead of being set aside. */
  readonly strict?: boolean;
  readonly clock?: Clock;
  /** Aborting stops reading input; samples in flight finish (graceful stop, `interrupted`). */
  readonly stopSignal?: AbortSignal;
  /** Aborting also cancels requests in flight (a second Ctrl-C). */
  readonly abortSignal?: AbortSignal;
  /**
   * Samples read ahead of those finished (default: 2 × the total concurrency, at least 16; at least
   * 2,048 while a checkpoint finds every sample looked up done).
   */
  readonly window?: number;
  /**
   * Hard limits (`--budget-usd`, `--max-tokens-total`): each request reserves its worst case before
   * it goes out; when the next one can never fit, the run stops with `budget` and the samples not
   * done stay unrecorded. A USD limit needs every model's price.
   */
  readonly budget?: BudgetLimits;
  /**
   * Where the budget's reservations are held when they are shared beyond this process (a queue's
   * workers share one budget in Redis); `budget` still gives the limits. Default: a Budget of its own.
   */
  readonly budgetAccount?: BudgetAccount;
  /**
   * Rule-based model routing: each sample goes to the models of the first rule it matches (see
   * `compileRoutes` / `loadRoutes`) instead of to every model; a sample no rule matches becomes an error
   * result (`no_route`). Every model a rule names must be among `models`.
   */
  readonly routes?: readonly RouteRule[];
  /** Counts a prompt's tokens for routing rules on `prompt_tokens` (default: an estimate, bytes / 4). */
  readonly countTokens?: (text: string) => number;
  /** Ask for a sample's repeats as `n` choices of one request, where the server supports it. */
  readonly repeatsAsN?: boolean;
  /**
   * Bounds duplicate-id detection: `maxIds` remembered, `forget` the oldest past it (endless input).
   * `false`: no detection, the ids are distinct already (a queue's `enqueue` made them so), and a
   * sample delivered twice keeps its id, so its result is recorded under the same key.
   */
  readonly duplicates?: Pick<DetectDuplicatesOptions, "maxIds" | "forget"> | false;
  /** The judge of LLM-graded tasks (mt_bench): its own dispatcher, limits and price, apart from the models'. */
  readonly judge?: ModelTarget;
  /** Where conversations are kept between turns, so a rerun continues them (default: in memory). */
  readonly conversations?: ConversationState;
  /**
   * The Python hook workers (a started `HookPool`): required when a task has `!function` hooks. The
   * caller owns it (starts it before, closes it after the run).
   */
  readonly hooks?: HookCaller;
  /**
   * Runs model-generated programs for code metrics (code_eval): `createCodeSandbox()`. Required by
   * tasks that execute code (`unsafe_code: true` or a code metric); without it they are refused.
   */
  readonly codeSandbox?: CodeSandbox;

  /**
   * A checkpoint (a RunStore): work items it holds as done are not sent again (their stored results
   * come out as `resumed` result events), and each result is recorded before it is emitted.
   */
  readonly checkpoint?: CompletedLookup & ResultRecorder & Partial<RecordLookup> & { conversations?(): ConversationState };
  /**
   * Resumed records stored under a sequence number up to this one come out with `deferred` set and their fold
   * decoded only when read: runEvaluation passes its summary snapshot's highest (summary-snapshot.ts). Default: none.
   */
  readonly deferFoldsUpTo?: number;
  /**
   * The response cache across runs: a request sent before (same endpoint, model and body) is answered
   * from it, with nothing sent, no budget reserved and no cost (`"cached": true` on the line).
   */
  readonly responseCache?: ResponseCache;
  /**
   * An endpoint that has never answered and refuses connections (or whose host does not resolve) for
   * this long stops the run as fatal (default 30 000 ms). One that has answered is waited out.
   */
  readonly connectTimeoutMs?: number;
}

/** The first rejected line, in strict mode. */
export class InputRejectedError extends Error {
  override readonly name = "InputRejectedError";
  readonly code = "E_INPUT_REJECTED";
  constructor(readonly reject: Reject) {
    super(`${reject.at.file}:${reject.at.line}: ${reject.reason}`);
  }
}

/**
 * The evaluation graph: source → parse → duplicates → prepare → expand → route (pipelines) → results.
 * Emits every event of the run; result events come in completion order. Completes when the input
 * is exhausted (or the run stopped) and every sample in flight is done. Errors only for run-ending
 * failures (strict mode, a source that fails); a failed sample is a result with status `error`.
 * Nothing starts until subscribed; unsubscribing cancels requests in flight.
 */
export function evaluate(options: EvaluateOptions): Observable<EvalEvent> {
  validate(options);
  return new Observable<EvalEvent>((subscriber) => {
    const clock = options.clock ?? systemClock;
    const registry = options.pipelines ?? defaultPipelines;
    const events = new Subject<EvalEvent>();
    const repeats = new RepeatGatherer({ scoreRepeats: (task, responses, target, own, doc) => registry[task.outputType]?.scoreRepeats?.(task, responses, target, own, doc) });
    const endpoints = endpointsOf(options);
    // `stop` is called only once the run is going, long after it is defined below.
    const connectWatch = new ConnectWatch({
      timeoutMs: options.connectTimeoutMs,
      clock,
      endpointOf: (model) => endpoints.get(model) ?? DEFAULT_ENDPOINT,
      onGiveUp: (message) => stop("fatal", message),
    });
    const emit = (e: EvalEvent) => {
      connectWatch.add(e);
      events.next(e);
    };
    // Results that leave before any pipeline: found done in the checkpoint, routed to no model, or whose
    // Python doc hook raised.
    const early = new Subject<Exit>();
    const resumed = (work: WorkItem, line: ResultLine) => {
      repeats.observe(work, line); // a resumed result still counts toward its sample's repeats
      early.next({ line, resumed: true });
    };
    const aborter = new AbortController();
    // Every request in flight listens on this one signal.
    setMaxListeners(0, aborter.signal);
    const stopReading = new Subject<void>();
    let stopped = false;

    const stop: PipelineContext["stop"] = (reason, message) => {
      if (stopped && reason !== "fatal") return;
      if (!stopped) emit({ type: "stopping", reason, message });
      stopped = true;
      stopReading.next();
      if (reason === "fatal") aborter.abort(new Error(message));
    };
    const onStop = () => stop("interrupted", "interrupted: no new samples are read; samples in flight finish");
    const onAbort = () => {
      stop("interrupted", "interrupted");
      aborter.abort(new Error("aborted"));
    };
    options.stopSignal?.addEventListener("abort", onStop, { once: true });
    options.abortSignal?.addEventListener("abort", onAbort, { once: true });

    const concurrency = options.models.map((m) => m.concurrency ?? 8);
    const prices = pricesOf(options);
    const budget = options.budget ? createRunBudget(options.budget, prices, { emit, stop }, options.budgetAccount, imageRulesOf(options)) : undefined;
    const built = createDispatchers(options.models, { clock, emit, budget: budget?.gate });
    // A checkpoint keeps conversations too, so a rerun continues one at its next turn.
    const conversations = options.conversations ?? options.checkpoint?.conversations?.();
    const judge = options.judge ? createJudge(options.judge, { clock, emit, budget: budget?.gate }, options.responseCache) : undefined;
    const context: PipelineContext = {
      dispatchers: options.responseCache ? withCache(built.dispatchers, options.models, options.responseCache) : built.dispatchers,
      prices,
      emit,
      clock,
      signal: aborter.signal,
      stop,
      ...(options.repeatsAsN ? { repeatsAsN: true } : {}),
      ...(judge ? { judge: judge.judge } : {}),
      ...(conversations ? { conversations } : {}),
      ...(options.codeSandbox ? { codeSandbox: options.codeSandbox } : {}),
      contextWindows: new Map(options.models.flatMap((m) => (m.contextWindow ? [[m.client.model, m.contextWindow] as const] : []))),
    };
    // A work item goes to the pipeline that prepared it, so its prepared is that pipeline's own type.
    const table = Object.fromEntries(Object.entries(registry).map(([type, def]) => [type, def.create(context) as OperatorFunction<WorkItem, Outcome>]));
    const window = options.window ?? Math.max(16, 2 * concurrency.reduce((a, b) => a + b, 0));
    const demand = new Demand(window);
    // While a checkpoint's lookups find every sample done (a resumed stretch), read further ahead: the
    // lookups are batched over the samples read ahead (resumeRecorded: up to 512 keys each), and with 2,048
    // samples ahead four or five are in LevelDB's threads while the graph folds the answers before them, where
    // 512 ahead left one at a time, the graph and the store waiting on each other (bench/resume.ts). The first
    // sample to send brings the window back, so a graceful stop never has more than the usual window to finish.
    const resumeWindow = Math.max(window, 2048);
    const onLookup = (done: number, keys: number) => demand.setLimit(done === keys ? resumeWindow : window);
    const tasks = new Map(options.tasks.map((t) => [t.name, t]));
    const defaultTask = options.tasks[0] as Task;
    const idField = (name?: string) => (name && tasks.get(name)?.idField) || defaultTask.idField;
    // The task a sample goes to, as `prepare` below picks it; undefined where prepare rejects the sample.
    const taskOf = (sample: Sample): Task | undefined => {
      const named = sample.task ?? (tasks.size > 1 ? taskOfFile(sample.at.file, tasks) : undefined);
      if (named === undefined) return options.taskRequired ? undefined : defaultTask;
      return tasks.get(named);
    };
    // A checkpoint that keeps what each record was made from (a RunStore) is resumed before rendering: each
    // line's text is hashed, records are stored with their source, and a sample whose records all have this
    // run's source is reused unrendered (resumeRecorded). Routing picks a sample's models from its prompt, so
    // a routed run renders every sample and compares fingerprints (skipCompleted) only.
    const recordLookup = typeof options.checkpoint?.lookupRecords === "function" && options.tasks.some((t) => t.renderDigest !== undefined) ? (options.checkpoint as RecordLookup) : undefined;
    // A sample resumed before rendering: its stored lines go straight out among the events, not through the
    // results' merge below (a resumed run emits little else, and each step of that way costs on every line).
    // While resumeRecorded finds samples done, lines are parsed only when read: a sample found done needs only
    // its id, task and text's hash (parse's `deferDocs`). Until a lookup finds some, and from one that finds none,
    // lines are parsed as they are read (a new run renders every line: a scan first would be waste).
    let deferDocs = false;
    // And a line that leads with its id is not even checked before its lookup (parse's `checkLater`): records made
    // from its very text prove it good. detectDuplicates and resumeRecorded settle a line before what depends on it
    // (a later line of its id, its own answer); --limit would need the same of every line it counts, and forgetting
    // ids (--continuous) keeps them by arrival, so each of those checks every line first, as before.
    const checkLater = options.limit === undefined && !(options.duplicates && options.duplicates.forget);
    const onRecordLookup = (done: number, keys: number) => {
      if (keys > 0) deferDocs = done > 0;
      onLookup(done, keys);
    };
    const idFields = [...new Set([defaultTask.idField, ...options.tasks.map((t) => t.idField)].filter((f) => f))];
    // Straight to the run's subscriber, as `events` would hand them on (no request event among them, so nothing
    // for connectWatch): a resumed run emits two events a sample, and the Subject and merge between cost on each.
    const resumedSample = (sample: Sample, lines: readonly (ResumedLine | DeferredLine)[]) => {
      subscriber.next({ type: "sample-read", id: sample.id, at: sample.at });
      for (const l of lines) subscriber.next("deferred" in l ? deferredResult(l.deferred, l.seq) : resumedResult(l.json, l.fold, l.line, l.seq, l));
      demand.release();
    };

    const rejectItem = (reject: Reject) => {
      demand.release();
      if (options.strict) throw new InputRejectedError(reject);
      emit({ type: "reject", reject });
    };

    const prepare: OperatorFunction<SourceItem, PreparedSample> = mergeMap((item) => {
      if (item.kind === "reject") {
        rejectItem(item.reject);
        return EMPTY;
      }
      const { sample } = item;
      const named = sample.task ?? (tasks.size > 1 ? taskOfFile(sample.at.file, tasks) : undefined);
      if (named === undefined && options.taskRequired) {
        rejectItem({ at: sample.at, reason: `key \`task\`: missing; the line of a group run names its task (one of ${[...tasks.keys()].slice(0, 5).join(", ")}${tasks.size > 5 ? ", …" : ""}) by a \`task\` field or by its file's name (TASK.jsonl)`, raw: JSON.stringify(sample.doc).slice(0, 200) });
        return EMPTY;
      }
      const task = named === undefined ? defaultTask : tasks.get(named);
      if (!task) {
        rejectItem({ at: sample.at, reason: `key \`task\`: unknown task ${JSON.stringify(sample.task)} (this run has ${[...tasks.keys()].join(", ")})`, raw: JSON.stringify(sample.doc).slice(0, 200) });
        return EMPTY;
      }
      const failure = hookFailure(sample.doc);
      if (failure) {
        // A hook that raised: the sample is an error result (not a reject: its line was fine).
        emit({ type: "sample-read", id: sample.id, at: sample.at });
        for (const line of hookFailureLines(sample, task, failure, options.models.map((m) => m.client.model), effectiveRepeats(task, options.repeats))) early.next({ line });
        demand.release();
        return EMPTY;
      }
      const def = registry[task.outputType];
      try {
        const prepared = def ? def.prepare(sample, task) : { input: "", target: "" };
        emit({ type: "sample-read", id: sample.id, at: sample.at });
        return of({ sample, task, prepared, done: () => demand.release() });
      } catch (error) {
        if (!isTaskInputError(error)) throw error;
        rejectItem({ at: sample.at, reason: error.key ? `key \`${error.key}\`: ${error.message}` : error.message, raw: JSON.stringify(sample.doc).slice(0, 200) });
        return EMPTY;
      }
    });

    let samples = 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const made = pullSource(options.input, demand).pipe(
      takeUntil(stopReading),
      parse({ idField, hashText: recordLookup !== undefined, ...(recordLookup && !options.routes ? { deferDocs: { idFields, active: () => deferDocs, checkLater } } : {}) }),
      options.duplicates === false ? identity : detectDuplicates({ ...options.duplicates, distinctIds: true, onDuplicate: emit, onCapacity: (n) => emit({ type: "warning", message: `duplicate-id detection is partial after ${n} distinct ids` }) }),
      takeWhile((item) => item.kind === "reject" || ++samples <= limit),
      recordLookup && !options.routes
        ? resumeRecorded({ store: recordLookup, taskOf, models: options.models.map((m) => m.client.model), repeats: options.repeats, onResumed: resumedSample, onLookup: onRecordLookup, ...(options.deferFoldsUpTo ? { deferFoldsUpTo: options.deferFoldsUpTo } : {}) })
        : identity,
      options.hooks ? applyDocHooks({ hooks: options.hooks, taskOf: (sample) => (sample.task === undefined ? defaultTask : tasks.get(sample.task)) }) : identity,
      prepare,
    ).pipe(
      options.routes ? routeModels({ rules: options.routes, countTokens: options.countTokens, onUnrouted: (line) => early.next({ line }) }) : identity,
      expand({ models: options.models.map((m) => m.client.model), repeats: options.repeats }),
      options.checkpoint
        ? skipCompleted({ store: options.checkpoint, onResumed: resumed, onChanged: (work) => emit({ type: "record-changed", key: work.key }), onLookup, maxBatch: 256, fingerprint: workFingerprint })
        : identity,
      route(table),
      options.hooks ? applyResultHooks({ hooks: options.hooks }) : identity,
      map(recordRoute),
      gatherRepeats(repeats),
      options.hooks ? scoreLinesInPython({ hooks: options.hooks }) : identity,
    ).pipe(
      // Each record keeps what produced it, so a rerun reuses it only for the same request and target.
      options.checkpoint ? map(stampFingerprint) : identity,
      stampResult({ clock }),
      options.checkpoint ? record({ store: options.checkpoint }) : identity,
      tap((outcome: Outcome) => outcome.work.done()),
    ).pipe(
      // Work cut off by the run's end is not a result: it stays undone, and a rerun does it.
      mergeMap((outcome): Observable<Exit> => (outcome.kind === "cut-off" ? EMPTY : of(outcome.seq === undefined ? { line: outcome.line } : { line: outcome.line, seq: outcome.seq }))),
      finalize(() => early.complete()),
    );
    // The one way out for every result: made, resumed or unrouted.
    const results = merge(made, early).pipe(
      map((exit): EvalEvent => ({ type: "result", line: exit.line, ...(exit.resumed ? { resumed: true } : {}), ...(exit.seq === undefined ? {} : { seq: exit.seq }) })),
      finalize(() => {
        if (budget) emit({ type: "budget", state: budget.state() });
        built.dispose();
        judge?.dispose();
        connectWatch.dispose();
        events.complete();
      }),
    );
    const subscription = merge(events, results).subscribe(subscriber);
    // A signal that came before the run started (a Ctrl-C while the CLI loaded) stops it now that its events are heard.
    if (options.stopSignal?.aborted) onStop();
    if (options.abortSignal?.aborted) onAbort();
    for (const [model, price] of prices) if (!price) emit({ type: "warning", message: unknownPriceMessage(model) });
    return () => {
      subscription.unsubscribe();
      options.stopSignal?.removeEventListener("abort", onStop);
      options.abortSignal?.removeEventListener("abort", onAbort);
      aborter.abort(new Error("unsubscribed"));
      connectWatch.dispose();
    };
  });
}

/** A result on its way out of the graph; `resumed` when it was found done in the checkpoint (by fingerprint). */
type Exit = { readonly line: ResultLine; readonly resumed?: true; readonly seq?: number };

/** The judge's own dispatcher (retries, limits, its own breaker): judge calls never take the models' slots. */
function createJudge(target: ModelTarget, deps: { clock: Clock; emit: (e: EvalEvent) => void; budget?: BudgetGate }, cache?: ResponseCache): { judge: Judge; dispose: () => void } {
  // Its calls are the judge's (`purpose`): their cost is kept apart from the evaluated models'.
  const built = createDispatchers([{ ...target, fallback: undefined }], { ...deps, purpose: "judge" });
  const dispatcher = built.dispatchers.get(target.client.model)!;
  return {
    judge: { model: target.client.model, dispatcher: cache ? cachedDispatcher(dispatcher, cache, target.endpoint) : dispatcher, price: target.price ?? null },
    dispose: () => built.dispose(),
  };
}

/** Where requests go when a model names no base URL: the SDK's default. */
const DEFAULT_ENDPOINT = "https://api.openai.com/v1";

/** Each model's base URL (fallbacks' and the judge's included). */
function endpointsOf(options: EvaluateOptions): Map<string, string | undefined> {
  const endpoints = new Map<string, string | undefined>();
  const targets = [...options.models, ...(options.judge ? [options.judge] : [])];
  for (const m of targets) for (let t: ModelTarget | undefined = m; t && !endpoints.has(t.client.model); t = t.fallback) endpoints.set(t.client.model, t.endpoint);
  return endpoints;
}

/** Each model's dispatcher answering from the response cache first (keyed with the model's endpoint). */
function withCache(dispatchers: ReadonlyMap<string, Dispatcher>, models: readonly ModelTarget[], cache: ResponseCache): Map<string, Dispatcher> {
  const endpoints = new Map<string, string | undefined>();
  for (const m of models) for (let t: ModelTarget | undefined = m; t && !endpoints.has(t.client.model); t = t.fallback) endpoints.set(t.client.model, t.endpoint);
  return new Map([...dispatchers].map(([model, d]) => [model, cachedDispatcher(d, cache, endpoints.get(model))]));
}

/** Prices by model name, fallbacks and the judge included (a sample a fallback served costs the fallback's price). */
function pricesOf(options: EvaluateOptions): Map<string, Price | null> {
  const prices = new Map<string, Price | null>();
  for (const m of options.models) {
    for (let t: ModelTarget | undefined = m; t && !prices.has(t.client.model); t = t.fallback) prices.set(t.client.model, t.price ?? null);
  }
  // A judge named like an evaluated model keeps that model's price.
  if (options.judge && !prices.has(options.judge.client.model)) prices.set(options.judge.client.model, options.judge.price ?? null);
  return prices;
}

/** Image rules by model name, fallbacks and the judge included (models without one use OpenAI's tile rule). */
function imageRulesOf(options: EvaluateOptions): Map<string, ImageTokenRule> {
  const rules = new Map<string, ImageTokenRule>();
  const targets = [...options.models, ...(options.judge ? [options.judge] : [])];
  for (const m of targets) for (let t: ModelTarget | undefined = m; t; t = t.fallback) if (t.imageTokens && !rules.has(t.client.model)) rules.set(t.client.model, t.imageTokens);
  return rules;
}

function validate(options: EvaluateOptions): void {
  if (options.tasks.length === 0) throw new RangeError("Expected `tasks` to hold at least one task, got none");
  if (options.models.length === 0) throw new RangeError("Expected `models` to hold at least one model, got none");
  const names = options.models.map((m) => m.client.model);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new RangeError(`Expected distinct model names, got ${dup} twice`);
  for (const m of options.models) {
    if (m.concurrency !== undefined && (!Number.isInteger(m.concurrency) || m.concurrency < 1)) {
      throw new RangeError(`Expected \`concurrency\` to be an integer >= 1, got ${m.concurrency}`);
    }
  }
  for (const rule of options.routes ?? []) {
    const missing = rule.models.find((m) => !names.includes(m));
    if (missing) throw new RangeError(`Expected every routed model among \`models\`: rule \`${rule.name}\` names ${missing}, the run has ${names.join(", ")}`);
  }
  const hooked = options.tasks.find((t) => t.pythonHooks);
  if (hooked && !options.hooks) throw new RangeError(`Expected \`hooks\` (a started HookPool): task \`${hooked.name}\` has Python hooks (\`!function\`)`);
  if (options.routes?.length === 0) throw new RangeError("Expected `routes` to hold at least one rule, got none");
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new RangeError(`Expected \`limit\` to be an integer >= 0, got ${options.limit}`);
  }
  if (options.budget) checkBudget(options.budget, pricesOf(options));
  checkCodeExecutionAllowed(options.tasks, options.codeSandbox !== undefined);
}

/** The task a file's name gives its lines (`dir/mmlu_anatomy.jsonl` → `mmlu_anatomy`), if the run has it. */
function taskOfFile(file: string, tasks: ReadonlyMap<string, Task>): string | undefined {
  const base = file.split(/[\\/]/).pop()!.replace(/\.jsonl?$/i, "");
  return tasks.has(base) ? base : undefined;
}
