import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Writable } from "node:stream";
import { type RunFlags, resolveRunConfig } from "../config/run-config.js";
import { readDefinition } from "../queue/queue-definition.js";
import { followResults } from "../queue/queue-results.js";
import { isFinished, queueStatus } from "../queue/queue-status.js";
import { queueSummary } from "../queue/queue-summary.js";
import { dropQueue } from "../queue/queue-trim.js";
import { renderSummaryTable } from "../render/summary-table.js";
import type { Summary } from "../summary/summary.js";
import { openContinuousSession } from "./continuous-session.js";
import { exitCodeOf, ExitCode } from "./exit-codes.js";
import { openOutputFile } from "./output-file.js";
import { openQueue } from "./queue-connection.js";
import { whyNotDrop } from "./queue-drop-command.js";
import { loadQueueTasks } from "./queue-tasks.js";
import { aggregationWorkers } from "./hook-workers.js";
import { localAggregations } from "./queue-aggregations.js";
import type { MaterializedFiles } from "./queue-files.js";
import type { CommandIO } from "./run-command.js";

export interface CollectFlags {
  readonly queue: string;
  readonly output?: string;
  readonly summary?: string;
  /** Write results as workers record them, until the queue is finished (or, continuous, until stopped). */
  readonly follow?: boolean;
  /** Delete the queue from Redis once its lines and summary are written (a finished queue only). */
  readonly drop?: boolean;
  /** The interpreter that runs the tasks' Python aggregations (default python3). */
  readonly python?: string;
  /** Run the Python aggregations the queue carries when this machine does not have their modules as they were enqueued. */
  readonly allowPythonHooks?: boolean;
}

/**
 * `streameval collect --queue URL [-o FILE] [--summary FILE] [--follow]`: the run's result lines
 * (each work key once, whichever worker wrote it) and its summary, built as a local run builds
 * them. Without --follow it reads what is recorded now (saying so when the queue is not finished);
 * with --follow it writes lines as they are recorded — and feeds the run's rolling windows and
 * alerts (`--window`, `--alert` given at enqueue) over every worker's results — until the queue is
 * finished, or, for a continuous queue, until SIGINT/SIGTERM.
 */
export async function collectCommand(flags: CollectFlags, io: CommandIO, env: NodeJS.ProcessEnv): Promise<number> {
  const queue = await openQueue(flags.queue, (text) => io.stderr.write(text));
  let out: Writable | undefined;
  let copies: MaterializedFiles | undefined;
  try {
    const local = await localAggregations(await readDefinition(queue.redis, queue.keys, queue.address.display), () => queue.redis.hgetall(queue.keys.files), flags.allowPythonHooks === true);
    const def = local.def;
    copies = local.files;
    out = flags.output ? await openOutputFile(flags.output) : io.stdout;
    const o = out;
    const write = (line: unknown) => void o.write(`${JSON.stringify(line)}\n`);
    let summary: Summary;
    const python = aggregationWorkers({ python: flags.python ?? "python3", env, onStderr: (line) => io.stderr.write(`python: ${line}\n`) });
    let aborted = false;
    let alertCode: ((s: Summary, code: number) => number) | undefined;
    if (!flags.follow) {
      const status = await queueStatus(queue.redis, queue.keys, queue.address.display);
      summary = await queueSummary(queue.redis, queue.keys, def, write, python);
      if (!isFinished(status)) io.stderr.write(`note: ${queue.address.display} is not finished (${status.samples.waiting} sample(s) waiting, ${status.samples.in_flight} in flight): these are the results recorded so far\n`);
    } else {
      const stopper = new AbortController();
      const removeSignal = io.onSignal?.(() => {
        aborted = true;
        stopper.abort();
      });
      // Windows and alerts as the run defines them, over every worker's results.
      const config = resolveRunConfig([], { ...(def.flags as RunFlags), task: def.tasks.map((t) => t.ref), store: false }, env, { apiKey: false });
      const tasks = config.continuous ? (await loadQueueTasks(def.tasks, {})).tasks : [];
      const session = config.continuous ? await openContinuousSession({ config: config.continuous, tasks, models: def.models, stderr: io.stderr, stop: () => stopper.abort() }) : undefined;
      const watcher = def.continuous ? undefined : watchFinish(queue, stopper);
      try {
        for await (const { id, line } of followResults(queue.blocking(), queue.keys, stopper.signal)) {
          write(line);
          session?.add({ type: "result", line });
          watcher?.seen(id);
        }
      } finally {
        removeSignal?.();
        watcher?.dispose();
        await session?.close();
      }
      summary = await queueSummary(queue.redis, queue.keys, def, undefined, python);
      // A signal is how a follow of a continuous queue ends: a normal end, not a cancelled one.
      if (session) alertCode = (s, code) => session.exitCode(s, false, code);
    }
    if (flags.summary) {
      await mkdir(dirname(flags.summary), { recursive: true });
      await writeFile(flags.summary, `${JSON.stringify(summary, null, 2)}\n`);
    }
    io.stderr.write(renderSummaryTable(summary));
    if (flags.drop) {
      // The lines go to their file before the queue goes: ended (flushed) first.
      if (out !== io.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
      out = undefined;
      const why = await whyNotDrop(queue);
      if (why) io.stderr.write(`note: not dropped: ${why}\n`);
      else io.stderr.write(`dropped ${queue.address.display}: ${await dropQueue(queue.redis, queue.keys)} key(s) deleted\n`);
    }
    const code = exitCodeOf(summary);
    if (alertCode) return alertCode(summary, code);
    return def.continuous ? (aborted ? ExitCode.ok : code) : code;
  } finally {
    if (out && out !== io.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
    await copies?.remove();
    await queue.close();
  }
}

/**
 * Ends a batch follow once the queue is finished (or stopped by its budget with no worker left) and
 * the last result recorded by then has been written.
 */
function watchFinish(queue: Awaited<ReturnType<typeof openQueue>>, stopper: AbortController): { seen(id: string): void; dispose(): void } {
  // The newest result once the queue was seen finished: reading up to it means every result is out.
  let target: string | undefined;
  let last = "0-0";
  const reached = () => target !== undefined && compareIds(last, target) >= 0 && stopper.abort();
  const check = async () => {
    if (target !== undefined) return;
    const status = await queueStatus(queue.redis, queue.keys, queue.address.display);
    const stopped = status.stopped !== null && !status.workers.some((w) => w.alive);
    if (!isFinished(status) && !stopped) return;
    const newest = await queue.redis.xrevrange(queue.keys.results, "+", "-", "COUNT", 1);
    target = newest[0]?.[0] ?? "0-0";
    reached();
  };
  const timer = setInterval(() => void check().catch(() => undefined), 500);
  return {
    seen: (id) => {
      last = id;
      reached();
    },
    dispose: () => clearInterval(timer),
  };
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number) as [number, number];
  const [bm, bs] = b.split("-").map(Number) as [number, number];
  return am - bm || as - bs;
}
