import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Writable } from "node:stream";
import { closedOutputReason, watchOutput } from "../io/closed-output.js";
import { renderSummaryTable } from "../render/summary-table.js";
import { CheckpointStore } from "../store/checkpoint-store.js";
import type { RunMeta } from "../store/run-meta.js";
import type { RunStore } from "../store/run-store.js";
import { rebuildSummary } from "../store/rebuild-summary.js";
import type { StartPython } from "../store/stored-python-aggregations.js";
import { aggregationWorkers } from "./hook-workers.js";
import { readStoreStatus, type StoreStatus } from "../store/store-status.js";
import { isStoreLockedError } from "../errors/store-locked-error.js";
import type { Summary } from "../summary/summary.js";
import { ExitCode } from "./exit-codes.js";

/** Where the runs commands write: listings and exports on stdout, tables and notes on stderr. */
export interface RunsIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export interface RunsOptions {
  /** The store folder (default `.streameval`). */
  readonly store?: string;
  /** Print JSON instead of a table (list, show). */
  readonly json?: boolean;
  /** export: result lines to this file instead of stdout. */
  readonly output?: string;
  /** export: the summary JSON to this file. */
  readonly summary?: string;
  /** show, export: the interpreter that runs Python aggregations of a rebuilt summary (default python3). */
  readonly python?: string;
}

/** One run as `runs list` and `runs show` report it. */
export interface RunReport {
  readonly run: string;
  /** The stored status; `crashed` for a run whose process died while it was running. */
  readonly status: string;
  readonly tasks: readonly string[];
  readonly models: readonly string[];
  readonly sessions: number;
  readonly created_at: string;
  readonly updated_at: string;
  /** Counted in the store now: ok results (done) and errors still standing; for a live run, its results so far. */
  readonly counts: { readonly ok: number; readonly error: number };
  /** Set when the run is going now, in the process holding the store (read from its status file). */
  readonly live?: { readonly pid: number; readonly since: string; readonly updated_at: string; readonly resumed: number };
}

/**
 * Where `runs list` and `runs show` read: the store itself, or, while another process holds it, the
 * status file that process keeps beside it (read-only; the live run's figures are as of its last update).
 */
interface RunsView {
  readonly dir: string;
  /** Set when reading the holder's status file. */
  readonly status?: StoreStatus;
  listRuns(): Promise<RunMeta[]>;
  getMeta(run: string): Promise<RunMeta | undefined>;
  report(meta: RunMeta): Promise<RunReport>;
  /** The run's summary: saved at its end, or rebuilt from its records; undefined for a live run seen from outside. */
  summary(meta: RunMeta): Promise<Summary | undefined>;
}

/** `streameval runs list`: every run in the store, with status and counts. */
export async function runsList(options: RunsOptions, io: RunsIO): Promise<number> {
  return withView(options, io, async (store) => {
    const reports: RunReport[] = [];
    for (const meta of await store.listRuns()) reports.push(await store.report(meta));
    if (options.json) io.stdout.write(`${JSON.stringify(reports)}\n`);
    else if (reports.length === 0) io.stderr.write(`no runs in ${store.dir}\n`);
    else {
      const rows = [["run", "status", "ok", "errors", "sessions", "updated", "tasks", "models"]];
      for (const r of reports) rows.push([r.run, r.live ? `${r.status} (live)` : r.status, String(r.counts.ok), String(r.counts.error), String(r.sessions), r.updated_at, r.tasks.join(","), r.models.join(",")]);
      io.stdout.write(`${table(rows)}\n`);
    }
    return ExitCode.ok;
  });
}

/** `streameval runs show RUN`: status, counts, options and the summary (rebuilt when none was saved). */
export async function runsShow(run: string, options: RunsOptions, io: RunsIO): Promise<number> {
  return withView(options, io, async (store) => {
    const meta = await findRun(store, run, io);
    if (!meta) return ExitCode.usage;
    const r = await store.report(meta);
    const summary = await store.summary(meta);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ ...r, identity: meta.identity, options: meta.options, started_at: meta.started_at, ended_at: meta.ended_at, store_layout: meta.store_layout ?? 1, summary })}\n`);
      return ExitCode.ok;
    }
    const lines = [
      `run      ${r.run}`,
      `status   ${r.status}`,
      r.live
        ? `results  ${r.counts.ok} ok (${r.live.resumed} reused), ${r.counts.error} error so far — live in process ${r.live.pid}, as of ${r.live.updated_at}`
        : `results  ${r.counts.ok} ok, ${r.counts.error} error${r.counts.error ? " (a rerun retries them)" : ""}`,
      `tasks    ${r.tasks.join(", ")}`,
      `models   ${r.models.join(", ")}${meta.identity.endpoint ? ` at ${meta.identity.endpoint}` : ""}`,
      `sessions ${r.sessions} (created ${r.created_at}, last started ${meta.started_at}${meta.ended_at ? `, ended ${meta.ended_at}` : ""})`,
      `options  ${JSON.stringify(meta.options)}`,
    ];
    io.stdout.write(`${lines.join("\n")}\n\n${summary ? renderSummaryTable(summary) : r.live ? "summary: when the run ends (it is live)\n" : "summary: rebuilt from its records once the store is free (it is in use)\n"}`);
    return ExitCode.ok;
  });
}

/**
 * `streameval runs export RUN`: the run's result lines from the store (done ones in key order, then
 * errors still standing) on stdout or `output`, and a summary rebuilt from them (JSON to `summary`,
 * a table on stderr). Memory stays flat however large the run.
 */
export async function runsExport(run: string, options: RunsOptions, io: RunsIO): Promise<number> {
  return withStore(options, async (store) => {
    const meta = await findRun(store, run, io);
    if (!meta) return ExitCode.usage;
    const runStore = store.run(run);
    const out = options.output ? await openOutput(options.output) : io.stdout;
    // Its reader going away (`runs export RUN | head`) ends the export quietly: the store is only read.
    let closed: string | undefined;
    const stdout = out === io.stdout ? watchOutput(io.stdout, (error) => (closed = closedOutputReason(error))) : undefined;
    let summary: Summary;
    try {
      summary = await rebuildSummary(meta, runStore, (line) => {
        if (closed) throw new OutputClosed();
        return stdout ? stdout.write(`${JSON.stringify(line)}\n`) : write(out, `${JSON.stringify(line)}\n`);
      }, pythonFor(options, io));
    } catch (error) {
      if (!(error instanceof OutputClosed)) throw error;
      io.stderr.write(`streameval: ${closed}: export stopped${options.summary ? ` (${options.summary} not written)` : ""}\n`);
      return ExitCode.ok;
    } finally {
      stdout?.dispose();
      if (out !== io.stdout) await new Promise<void>((resolve) => out.end(resolve));
    }
    if (options.summary) {
      await mkdir(dirname(options.summary), { recursive: true });
      await writeFile(options.summary, `${JSON.stringify(summary, null, 2)}\n`);
    }
    io.stderr.write(renderSummaryTable(summary));
    return ExitCode.ok;
  });
}

/** Hook workers for the Python aggregations of a rebuilt summary (`aggregation: !function`). */
function pythonFor(options: RunsOptions, io: RunsIO): StartPython {
  return aggregationWorkers({ python: options.python ?? "python3", env: process.env, onStderr: (line) => io.stderr.write(`python: ${line}\n`) });
}

async function report(meta: RunMeta, runStore: RunStore): Promise<RunReport> {
  return { ...reportOf(meta), counts: await runStore.counts() };
}

/** A run's report from its metadata alone (counts as recorded at its last session's end). */
function reportOf(meta: RunMeta): RunReport {
  return {
    run: meta.run,
    // No process holding the store is running this run (we hold it, or its holder runs another): `running` means it died.
    status: meta.status === "running" ? "crashed" : meta.status,
    tasks: meta.tasks.map((t) => t.name),
    models: meta.models,
    sessions: meta.sessions,
    created_at: meta.created_at,
    updated_at: meta.ended_at ?? meta.started_at,
    counts: meta.counts,
  };
}

async function findRun(store: Pick<RunsView, "dir" | "getMeta" | "listRuns">, run: string, io: RunsIO): Promise<RunMeta | undefined> {
  const meta = await store.getMeta(run);
  if (!meta) {
    const names = (await store.listRuns()).map((m) => m.run);
    io.stderr.write(`streameval: no run ${JSON.stringify(run)} in ${store.dir}${names.length ? ` (runs: ${names.join(", ")})` : ""}\n`);
  }
  return meta;
}

/**
 * Runs `body` on the store, or, when another process holds it and keeps a status file, on that file
 * (said on stderr). Without a status file the StoreLockedError stands.
 */
async function withView(options: RunsOptions, io: RunsIO, body: (view: RunsView) => Promise<number>): Promise<number> {
  const dir = options.store ?? ".streameval";
  let store: CheckpointStore;
  try {
    store = await CheckpointStore.open(dir, { create: false, owner: { command: "runs" } });
  } catch (error) {
    const status = isStoreLockedError(error) ? await readStoreStatus(dir) : undefined;
    if (!status) throw error;
    io.stderr.write(`the store ${dir} is in use by process ${status.pid} (${status.command} --run ${status.live}, live): shown from its status file, updated ${status.updated_at}\n`);
    return body(statusView(dir, status));
  }
  try {
    return await body({
      dir: store.dir,
      listRuns: () => store.listRuns(),
      getMeta: (run) => store.getMeta(run),
      report: (meta) => report(meta, store.run(meta.run)),
      summary: async (meta) => (meta.status !== "running" && meta.summary ? meta.summary : rebuildSummary(meta, store.run(meta.run), undefined, pythonFor(options, io))),
    });
  } finally {
    await store.close();
  }
}

/** The runs as the holder's status file gives them: the live run with its results so far. */
function statusView(dir: string, status: StoreStatus): RunsView {
  return {
    dir,
    status,
    listRuns: () => Promise.resolve([...status.runs].sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0))),
    getMeta: (run) => Promise.resolve(status.runs.find((m) => m.run === run)),
    report: (meta) =>
      Promise.resolve(
        meta.run === status.live
          ? { ...reportOf(meta), status: "running", updated_at: status.updated_at, counts: { ok: status.session.ok, error: status.session.error }, live: { pid: status.pid, since: status.since, updated_at: status.updated_at, resumed: status.session.resumed } }
          : reportOf(meta),
      ),
    summary: (meta) => Promise.resolve(meta.run !== status.live && meta.status !== "running" ? meta.summary : undefined),
  };
}

async function withStore(options: RunsOptions, body: (store: CheckpointStore) => Promise<number>): Promise<number> {
  const store = await CheckpointStore.open(options.store ?? ".streameval", { create: false, owner: { command: "runs" } });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

async function openOutput(path: string): Promise<Writable> {
  await mkdir(dirname(path), { recursive: true });
  return createWriteStream(path);
}

/** Writes with backpressure, so exporting a million lines does not queue them all in memory. */
/** Thrown to stop reading the store once the export's stdout is closed. */
class OutputClosed extends Error {}

function write(out: Writable, text: string): Promise<void> | void {
  if (!out.write(text)) return new Promise<void>((resolve) => out.once("drain", resolve));
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}
