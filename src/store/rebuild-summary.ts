import type { StopReason, Summary } from "../summary/summary.js";
import { CostLedger } from "../cost/cost-ledger.js";
import type { ResolvedPrice } from "../cost/resolve-prices.js";
import { SummaryBuilder } from "../summary/summary-builder.js";
import type { ResultLine } from "../types.js";
import type { RunMeta } from "./run-meta.js";
import type { RunStore } from "./run-store.js";
import { aggregateStoredPython, type StartPython, summaryTasks } from "./stored-python-aggregations.js";

/**
 * The run's summary from its stored results alone. Metrics, counts, tokens, cost and latency come
 * from the records; what records do not hold (wall time, rejected and duplicate lines) from the last
 * saved summary. `resumed` is 0: every result counts as the run's own. Python aggregations
 * (`aggregation: !function`) run in hook workers from `startPython`; without it they are reported as
 * not computed.
 */
export async function rebuildSummary(meta: RunMeta, runStore: RunStore, each?: (line: ResultLine) => Promise<void> | void, startPython?: StartPython): Promise<Summary> {
  const builder = new SummaryBuilder({
    run: meta.run,
    tasks: summaryTasks(meta.tasks),
    models: meta.models,
    ...(meta.groups?.length ? { groups: meta.groups } : {}),
  });
  // The cost section from the records too, priced as each line was (its own cost_usd).
  const saved = meta.summary;
  const prices = meta.models.map((model): ResolvedPrice => {
    const price = saved?.cost?.by_model?.[model]?.price;
    return price ? { model, price, source: price.source } : { model, price: null, source: "unknown" };
  });
  const ledger = new CostLedger(prices);
  for await (const line of runStore.results()) {
    builder.addResult(line);
    ledger.addResult(line);
    if (each) await each(line);
  }
  await aggregateStoredPython(builder, startPython);
  const stopped: StopReason | null = meta.status === "interrupted" || meta.status === "budget" || meta.status === "fatal" ? meta.status : null;
  return { ...builder.build(stopped, saved?.wall_s ?? 0, saved?.stop_message), rejected: saved?.rejected ?? 0, duplicates: saved?.duplicates ?? 0, cost: ledger.build(undefined) };
}

