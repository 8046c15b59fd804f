import { lastValueFrom, tap } from "rxjs";
import { systemClock } from "./clock.js";
import { RunAccounting } from "./cost/run-accounting.js";
import type { EvalEvent } from "./events.js";
import { createProcessMeter, type ProcessMeter } from "./observe/process-meter.js";
import { createRunObserver } from "./observe/run-observer.js";
import { type EvaluateOptions, evaluate, type ModelTarget } from "./run.js";
import type { StopReason, Summary } from "./summary/summary.js";
import type { GroupSpec } from "./summary/groups.js";
import { SummaryBuilder, type SummaryBuilderOptions } from "./summary/summary-builder.js";
import { identityOf, type SnapshotStore, SummarySnapshot } from "./summary-snapshot.js";

/** `evaluate`'s options plus where the result lines go; `runEvaluation` resolves with the summary. */
export interface RunEvaluationOptions extends EvaluateOptions {
  /** The run's id, as the summary names it. */
  readonly run?: string;
  /** Every event as it happens (results, rejects, requests …): write results, draw progress. */
  readonly onEvent?: (event: EvalEvent) => void;
  /**
   * Throughput (requests/s, output tokens/s, achieved concurrency) and the process's peaks (RSS,
   * heap, CPU, event-loop delay, sampled every second) in the summary (default true).
   */
  readonly instrument?: boolean;
  /**
   * The process meter the summary reads (`resources`, `process`): pass the one your progress line and
   * Prometheus metrics read, so all three show the same figures (default: a new one). The run starts it
   * and stops it at its end.
   */
  readonly processMeter?: ProcessMeter;
  /** Groups over the tasks (from group files): the summary reports each under `groups`. */
  readonly groups?: readonly GroupSpec[];
}

/**
 * Runs an evaluation to the end and returns its summary. The promise rejects only for run-ending
 * failures (strict mode, an unreadable source); a stopped run resolves with `stopped` set.
 */
export async function runEvaluation(options: RunEvaluationOptions): Promise<Summary> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const builderOptions: SummaryBuilderOptions = {
    run: options.run ?? "adhoc",
    tasks: options.tasks.map((t) => ({
      name: t.name,
      aggregations: new Map(t.metrics.map((m) => [m.name, m.aggregation])),
      pythonAggregations: new Map(t.metrics.flatMap((m) => (m.pythonAggregation ? [[m.name, { hook: m.pythonAggregation, ...(m.pythonItem ? { item: m.pythonItem } : {}) }] as const] : []))),
    })),
    models: options.models.map((m) => m.client.model),
    ...(options.groups?.length ? { groups: options.groups } : {}),
  };
  const builder = new SummaryBuilder(builderOptions);
  // A summary snapshot (summary-snapshot.ts) where every fold of a result is one it can stand for.
  const store = snapshotStoreOf(options);
  const snapshot = store ? await SummarySnapshot.open(store, builderOptions, identityOf(builderOptions), []) : undefined;
  const resolved = (m: ModelTarget) => ({ model: m.client.model, price: m.price ?? null, source: m.priceSource ?? (m.price ? "given" : "unknown") }) as const;
  const accounting = new RunAccounting(options.models.map(resolved), options.judge ? [resolved(options.judge)] : []);
  // One meter of the process feeds `resources`, `process` (and the caller's progress and Prometheus), so they report the same figures.
  const processMeter = options.processMeter ?? createProcessMeter({ now: () => clock.now() });
  const observer = options.instrument === false ? undefined : createRunObserver({ now: () => clock.now(), process: processMeter });
  processMeter.start();
  observer?.start();
  let stopped: StopReason | null = null;
  let stopMessage: string | undefined;
  const run = lastValueFrom(
    evaluate(snapshot?.deferUpTo ? { ...options, deferFoldsUpTo: snapshot.deferUpTo } : options).pipe(
      tap((event) => {
        if (event.type !== "result" || !snapshot?.add(event)) {
          builder.add(event);
          accounting.add(event);
        }
        observer?.add(event);
        if (event.type === "stopping" && (stopped === null || event.reason === "fatal")) {
          stopped = event.reason;
          stopMessage = event.message;
        }
        options.onEvent?.(event);
      }),
    ),
    { defaultValue: undefined },
  );
  await run.finally(() => {
    processMeter.stop();
    observer?.stop();
  });
  if (snapshot) await snapshot.finish(builder, accounting);
  // lm-eval's aggregation functions (`aggregation: !function`) run once, over every value, at the end.
  if (options.hooks) await builder.aggregateInPython(options.hooks);
  const summary = { ...builder.build(stopped, (clock.now() - started) / 1000, stopMessage), ...accounting.finish(processMeter.usage()) };
  return observer ? { ...summary, ...observer.stop() } : summary;
}

/**
 * The checkpoint as a summary snapshot's store, when it keeps one (RunStore) and the run folds nothing a snapshot
 * cannot stand for: no Python aggregations (their values are kept apart), hooks or routing (records resumed by
 * fingerprint only).
 */
function snapshotStoreOf(options: RunEvaluationOptions): SnapshotStore | undefined {
  const store = options.checkpoint as Partial<SnapshotStore> | undefined;
  if (typeof store?.readSnapshot !== "function" || typeof store.saveSnapshot !== "function" || typeof store.foldsBySeq !== "function") return undefined;
  if (options.hooks || options.routes || options.tasks.some((t) => t.metrics.some((m) => m.pythonAggregation))) return undefined;
  return store as SnapshotStore;
}
