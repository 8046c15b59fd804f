import type { StopReason, Summary } from "../summary/summary.js";
import { SummaryBuilder } from "../summary/summary-builder.js";
import type { ResultLine } from "../types.js";
import type { RunMeta } from "./run-meta.js";
import type { RunStore } from "./run-store.js";

/**
 * The run's summary from its stored results alone. Metrics, counts, tokens, cost and latency come
 * from the records; what records do not hold (wall time, rejected and duplicate lines) from the last
 * saved summary. `resumed` is 0: every result counts as the run's own.
 */
export async function rebuildSummary(meta: RunMeta, runStore: RunStore, each?: (line: ResultLine) => Promise<void> | void): Promise<Summary> {
  const builder = new SummaryBuilder({
    run: meta.run,
    tasks: meta.tasks.map((t) => ({ name: t.name, aggregations: new Map(Object.entries(t.aggregations)) })),
    models: meta.models,
    ...(meta.groups?.length ? { groups: meta.groups } : {}),
  });
  for await (const line of runStore.results()) {
    builder.addResult(line);
    if (each) await each(line);
  }
  const stopped: StopReason | null = meta.status === "interrupted" || meta.status === "budget" || meta.status === "fatal" ? meta.status : null;
  const saved = meta.summary;
  return { ...builder.build(stopped, saved?.wall_s ?? 0, saved?.stop_message), rejected: saved?.rejected ?? 0, duplicates: saved?.duplicates ?? 0 };
}

