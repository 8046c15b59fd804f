import type { QueueClient } from "./queue-client.js";
import { CostLedger } from "../cost/cost-ledger.js";
import type { Summary } from "../summary/summary.js";
import { SummaryBuilder } from "../summary/summary-builder.js";
import type { ResultLine } from "../types.js";
import type { QueueDefinition } from "./queue-definition.js";
import type { QueueKeys } from "./queue-keys.js";
import { countedResults } from "./queue-results.js";
import { readBudgetState } from "./shared-budget.js";
import { aggregateStoredPython, type StartPython, summaryTasks } from "../store/stored-python-aggregations.js";

/**
 * The run's summary from the queue's results, built as a local run builds its own: every counted
 * result line folded into one SummaryBuilder and one CostLedger, whichever worker wrote it. Metrics,
 * counts, usage, cost and latency percentiles (the histograms of all workers' lines together) are
 * those a single process would report for the same lines. `wall_s`: from the first worker's start to
 * the last result; `stopped` is `budget` once the shared budget is used up. Python aggregations run
 * in hook workers from `startPython` (else they are reported as not computed).
 */
export async function queueSummary(redis: QueueClient, keys: QueueKeys, def: QueueDefinition, each?: (line: ResultLine) => Promise<void> | void, startPython?: StartPython): Promise<Summary> {
  const builder = new SummaryBuilder({
    run: def.run,
    tasks: summaryTasks(def.taskMeta),
    models: [...def.models],
    ...(def.groups?.length ? { groups: def.groups } : {}),
  });
  const ledger = new CostLedger(def.prices);
  for await (const line of countedResults(redis, keys)) {
    builder.addResult(line);
    ledger.addResult(line);
    if (each) await each(line);
  }
  await aggregateStoredPython(builder, startPython);
  const [meta, budget] = await Promise.all([redis.hgetall(keys.meta), readBudgetState(redis, keys)]);
  const exhausted = budget?.exhausted ? ((await redis.hget(keys.budget, "exhausted")) ?? undefined) : undefined;
  const wall = meta.started_ms && meta.last_result_ms ? Math.max(0, Number(meta.last_result_ms) - Number(meta.started_ms)) / 1000 : 0;
  return {
    ...builder.build(exhausted === undefined ? null : "budget", wall, exhausted),
    rejected: Number(meta.rejected ?? 0),
    duplicates: Number(meta.duplicates ?? 0),
    cost: ledger.build(budget ?? undefined),
  };
}
