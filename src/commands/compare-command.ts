import type { Writable } from "node:stream";
import { type ComparePair, compareSides } from "../compare/compare-sides.js";
import { collectSideScores } from "../compare/side-scores.js";
import { ConfigError } from "../errors/config-error.js";
import { renderCompareTable } from "../render/compare-table.js";
import { CheckpointStore } from "../store/checkpoint-store.js";
import type { RunMeta } from "../store/run-meta.js";
import { ExitCode } from "./exit-codes.js";

export interface CompareOptions {
  /** The store folder (default `.streameval`). */
  readonly store?: string;
  /** The JSON of DESIGN.md on stdout (the table still goes to stderr). */
  readonly json?: boolean;
  /** Two models: the first from run A, the second from run B (or both from A when there is no B). */
  readonly models?: readonly string[];
  /** Bootstrap seed (default 0) and resamples (default 10,000). */
  readonly seed?: number;
  readonly resamples?: number;
}

export interface CompareIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** One side to compare: a run and one of its models. */
export interface CompareSide {
  readonly run: string;
  readonly model: string;
}

/**
 * `streameval compare A B` / `compare RUN --models M1 M2`: reads both sides' results from the store
 * and prints `renderCompareTable` on stderr (and `{"pairs":[…]}` on stdout with `--json`).
 */
export async function compareCommand(runs: readonly string[], options: CompareOptions, io: CompareIO): Promise<number> {
  const store = await CheckpointStore.open(options.store ?? ".streameval", { create: false, owner: { command: "compare" } });
  try {
    const pairs = await compareRuns(store, runs, options);
    io.stderr.write(renderCompareTable(pairs));
    if (options.json) io.stdout.write(`${JSON.stringify({ pairs })}\n`);
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

/** The comparisons `runs` and `options.models` ask for, read from an open store. */
export async function compareRuns(store: CheckpointStore, runs: readonly string[], options: Pick<CompareOptions, "models" | "seed" | "resamples">): Promise<ComparePair[]> {
  if (runs.length < 1 || runs.length > 2) throw new ConfigError(`compare takes two runs (A B), or one run with --models M1 M2; got ${runs.length} run(s)`);
  const metas = await Promise.all(runs.map((run) => metaOf(store, run)));
  const pairs: ComparePair[] = [];
  for (const [a, b] of sidePairs(metas, options.models)) {
    const [sa, sb] = await Promise.all([a, b].map((s) => collectSideScores(s.run, s.model, store.run(s.run).results())));
    const aggregations = new Map(metas.flatMap((m) => m.tasks.map((t) => [t.name, t.aggregations] as const)));
    const isMean = (task: string, metric: string) => {
      const agg = aggregations.get(task)?.[metric.split(",")[0]!];
      return agg === undefined || agg === "mean";
    };
    pairs.push(...compareSides(sa!, sb!, { isMean, seed: options.seed, resamples: options.resamples }));
  }
  return pairs;
}

/**
 * Which run/model pairs to compare: `--models M1 M2` names them (M1 in A, M2 in B, or both in the one
 * run); otherwise two one-model runs, or each model the two runs share.
 */
export function sidePairs(metas: readonly RunMeta[], models?: readonly string[]): [CompareSide, CompareSide][] {
  const [a, b = a] = metas as [RunMeta, RunMeta?];
  const has = (meta: RunMeta, model: string) => {
    if (!meta.models.includes(model)) throw new ConfigError(`run ${meta.run} has no model ${JSON.stringify(model)} (it has ${meta.models.join(", ")})`);
    return { run: meta.run, model };
  };
  if (models && models.length > 0) {
    if (models.length !== 2) throw new ConfigError(`--models takes two models (M1 M2), got ${models.length}`);
    return [[has(a, models[0]!), has(b, models[1]!)]];
  }
  if (metas.length === 1) throw new ConfigError(`compare with one run needs --models M1 M2 (run ${a.run} has ${a.models.join(", ")})`);
  if (a.models.length === 1 && b.models.length === 1) return [[has(a, a.models[0]!), has(b, b.models[0]!)]];
  const shared = a.models.filter((m) => b.models.includes(m));
  if (shared.length === 0) throw new ConfigError(`runs ${a.run} and ${b.run} share no model; name one of each with --models M1 M2`);
  return shared.map((m) => [has(a, m), has(b, m)]);
}

async function metaOf(store: CheckpointStore, run: string): Promise<RunMeta> {
  const meta = await store.getMeta(run);
  if (meta) return meta;
  const names = (await store.listRuns()).map((m) => m.run);
  throw new ConfigError(`no run ${JSON.stringify(run)} in ${store.dir}${names.length ? ` (runs: ${names.join(", ")})` : ""}`);
}
