import { type QueueStatus, queueStatus } from "../queue/queue-status.js";
import { ExitCode } from "./exit-codes.js";
import { openQueue } from "./queue-connection.js";
import type { CommandIO } from "./run-command.js";

/**
 * `streameval status --queue URL [--json]`: the queue's progress across workers — samples done, in
 * flight, waiting, rejected; results ok and error; each worker's pending entries, idle time and
 * whether its heartbeat is current; the shared budget. A table on stdout, or JSON with --json.
 */
export async function statusCommand(flags: { queue: string; json?: boolean }, io: CommandIO): Promise<number> {
  const queue = await openQueue(flags.queue);
  try {
    const status = await queueStatus(queue.redis, queue.keys, queue.address.display);
    io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    return ExitCode.ok;
  } finally {
    await queue.close();
  }
}

function renderStatus(s: QueueStatus): string {
  const lines = [
    `queue    ${s.queue}${s.run ? `  run ${s.run}` : "  (nothing enqueued)"}${s.continuous ? "  continuous" : s.sealed ? "  sealed" : "  enqueue not finished"}`,
    `samples  ${s.samples.done} done, ${s.samples.in_flight} in flight, ${s.samples.waiting} waiting (${s.samples.enqueued} enqueued, ${s.samples.rejected} rejected)`,
    `results  ${s.results.total} (${s.results.ok} ok, ${s.results.error} error)`,
  ];
  if (s.budget?.usd) lines.push(`budget   $${round(s.budget.usd.spent)} spent, $${round(s.budget.usd.reserved)} reserved of $${s.budget.usd.limit}${s.budget.exhausted ? "  used up" : ""}`);
  if (s.budget?.tokens) lines.push(`tokens   ${s.budget.tokens.spent} spent, ${s.budget.tokens.reserved} reserved of ${s.budget.tokens.limit}${s.budget.exhausted ? "  used up" : ""}`);
  if (s.stopped) lines.push(`stopped  ${s.stopped}`);
  lines.push(`workers  ${s.workers.filter((w) => w.alive).length} alive of ${s.workers.length}`);
  for (const w of s.workers) {
    const done = typeof w.report?.done === "number" ? w.report.done : undefined;
    lines.push(`  ${w.name.padEnd(32)} ${w.alive ? "alive" : "gone "}  ${String(w.pending).padStart(5)} pending  idle ${(w.idle_ms / 1000).toFixed(1)} s${done === undefined ? "" : `  ${done} done`}`);
  }
  return `${lines.join("\n")}\n`;
}

function round(x: number): string {
  return String(Number(x.toPrecision(4)));
}
