import { ConfigError } from "../errors/config-error.js";
import { isFinished, queueStatus } from "../queue/queue-status.js";
import { dropQueue } from "../queue/queue-trim.js";
import { ExitCode } from "./exit-codes.js";
import { type QueueConnection, openQueue } from "./queue-connection.js";
import type { CommandIO } from "./run-command.js";

/**
 * `streameval queue drop --queue URL [--force]`: deletes every key of the queue — samples, results,
 * definition, counters, budget, rate buckets. Refused (exit 2) while a worker's heartbeat is current
 * or a batch queue is not finished, unless --force: collect first, what is dropped is gone.
 */
export async function queueDropCommand(flags: { queue: string; force?: boolean }, io: CommandIO): Promise<number> {
  const queue = await openQueue(flags.queue);
  try {
    if (!flags.force) {
      const why = await whyNotDrop(queue);
      if (why) throw new ConfigError(`${why}: stop the workers and collect first, or --force`, { key: "--queue" });
    }
    const n = await dropQueue(queue.redis, queue.keys);
    io.stderr.write(`dropped ${queue.address.display}: ${n} key(s) deleted\n`);
    return ExitCode.ok;
  } finally {
    await queue.close();
  }
}

/** Why a queue should not be deleted now (live workers, samples not finished), or undefined. */
export async function whyNotDrop(queue: QueueConnection): Promise<string | undefined> {
  const status = await queueStatus(queue.redis, queue.keys, queue.address.display);
  const alive = status.workers.filter((w) => w.alive).length;
  if (alive > 0) return `${queue.address.display} has ${alive} live worker(s)`;
  if (status.run !== null && !status.continuous && !isFinished(status) && status.stopped === null) {
    return `${queue.address.display} is not finished (${status.samples.waiting} sample(s) waiting, ${status.samples.in_flight} in flight)`;
  }
  return undefined;
}
