import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Writable } from "node:stream";
import { ConfigError } from "../errors/config-error.js";
import { buildReport } from "../report/build-report.js";
import { CheckpointStore } from "../store/checkpoint-store.js";
import { ExitCode } from "./exit-codes.js";

export interface ReportOptions {
  /** The store folder (default `.streameval`). */
  readonly store?: string;
  /** The HTML file to write. */
  readonly output: string;
  /** Seed of the comparison section's bootstrap (default 0). */
  readonly seed?: number;
}

/**
 * `streameval report RUN [RUN …] -o report.html`: one self-contained HTML page of the runs (see
 * src/report), written to `output`; one line on stderr says where and how big.
 */
export async function reportCommand(runs: readonly string[], options: ReportOptions, io: { readonly stderr: Writable }): Promise<number> {
  if (runs.length === 0) throw new ConfigError("report needs at least one run (see `streameval runs list`)");
  if (!options.output) throw new ConfigError("report needs -o FILE (the HTML page to write)");
  const store = await CheckpointStore.open(options.store ?? ".streameval", { create: false, owner: { command: "report" } });
  let html: string;
  try {
    const known = new Set((await store.listRuns()).map((m) => m.run));
    const missing = runs.filter((r) => !known.has(r));
    if (missing.length) throw new ConfigError(`no run ${missing.map((r) => JSON.stringify(r)).join(", ")} in ${store.dir}${known.size ? ` (runs: ${[...known].join(", ")})` : ""}`);
    html = await buildReport(store, [...new Set(runs)], { seed: options.seed });
  } finally {
    await store.close();
  }
  await mkdir(dirname(options.output), { recursive: true });
  await writeFile(options.output, html);
  io.stderr.write(`report: ${options.output} (${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB)\n`);
  return ExitCode.ok;
}
