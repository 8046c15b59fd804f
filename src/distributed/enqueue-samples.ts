import type { QueueClient } from "../queue/queue-client.js";
import { Subject } from "rxjs";
import type { EventOf } from "../events.js";
import { isTaskInputError } from "../errors/task-input-error.js";
import type { SourceLine } from "../io/read-lines.js";
import { detectDuplicates } from "../operators/detect-duplicates.js";
import { parseLine } from "../operators/parse.js";
import { defaultPipelines } from "../pipelines/registry.js";
import type { PipelineRegistry } from "../pipelines/types.js";
import type { QueueKeys } from "../queue/queue-keys.js";
import { InputRejectedError } from "../run.js";
import type { Reject, Sample, SourceItem } from "../types.js";
import type { Task } from "../work/task.js";
import { taskOfSample } from "./sample-identity.js";

export interface EnqueueSamplesOptions {
  readonly redis: QueueClient;
  readonly keys: QueueKeys;
  readonly input: AsyncIterable<SourceLine>;
  readonly tasks: readonly Task[];
  /** The tasks come from a group file: a line must name its task (see EvaluateOptions.taskRequired). */
  readonly taskRequired?: boolean;
  readonly pipelines?: PipelineRegistry;
  /** Only the first N samples. */
  readonly limit?: number;
  /** The first bad line fails the enqueue (InputRejectedError); nothing after it is added. */
  readonly strict?: boolean;
  /** Duplicate detection bounded for an endless input (see EvaluateOptions.duplicates). */
  readonly duplicates?: { readonly maxIds: number; readonly forget: boolean };
  readonly onReject: (reject: Reject) => void;
  readonly onDuplicate: (event: EventOf<"duplicate-id">) => void;
  /** Entries added per round trip (default 500). */
  readonly batch?: number;
}

export interface EnqueueCounts {
  readonly enqueued: number;
  readonly rejected: number;
  readonly duplicates: number;
}

/**
 * Checks each input line as `run` would — JSON, id, task, the task's templates and fields (the
 * pipeline's `prepare`), duplicate ids — and appends the good ones to the queue's stream (XADD, in
 * batches), so a worker never meets a line it must set aside. A bad line goes to `onReject` with its
 * file and line. A later line repeating an id is renamed `id@file:line` as `run` renames it (the
 * entry's id field says so), so every sample has a key of its own across all workers.
 */
export async function enqueueSamples(options: EnqueueSamplesOptions): Promise<EnqueueCounts> {
  const { redis, keys, tasks } = options;
  const registry = options.pipelines ?? defaultPipelines;
  const first = tasks[0] as Task;
  const idFieldOf = (name?: string) => (name && tasks.find((t) => t.name === name)?.idField) || first.idField;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const batchSize = options.batch ?? 500;
  let enqueued = 0;
  let rejected = 0;
  let duplicates = 0;
  let batch: string[][] = [];

  // Thrown after the line, not inside the subscriber (RxJS would report it out of band).
  let strictFailure: InputRejectedError | undefined;
  const reject = (r: Reject) => {
    if (options.strict) {
      strictFailure ??= new InputRejectedError(r);
      return;
    }
    rejected++;
    options.onReject(r);
  };
  const accept = (sample: Sample, text: string, originalId: string) => {
    const task = taskOfSample(sample, tasks, options.taskRequired ?? false);
    if (!("name" in task)) return reject(task);
    try {
      // A task with Python hooks may build its prompt from fields the hooks make: the worker checks it (its rejects show in `status`).
      if (!task.hooks) registry[task.outputType]?.prepare(sample, task);
    } catch (error) {
      if (!isTaskInputError(error)) throw error;
      return reject({ at: sample.at, reason: error.key ? `key \`${error.key}\`: ${error.message}` : error.message, raw: JSON.stringify(sample.doc).slice(0, 200) });
    }
    // A renamed duplicate carries its new id in its id field, so a worker parses the same id.
    const stored = sample.id === originalId ? text : JSON.stringify({ ...sample.doc, [task.idField]: sample.id });
    batch.push(["text", stored, "file", sample.at.file, "line", String(sample.at.line)]);
    enqueued++;
  };

  // detectDuplicates is an operator: lines go through it one by one, synchronously.
  const checked = new Subject<SourceItem>();
  let current: { text: string; id: string } = { text: "", id: "" };
  const flow = checked
    .pipe(detectDuplicates({ ...options.duplicates, distinctIds: true, onDuplicate: (e) => (duplicates++, options.onDuplicate(e)) }))
    .subscribe((item) => (item.kind === "reject" ? reject(item.reject) : accept(item.sample, current.text, current.id)));
  const flush = async () => {
    if (batch.length === 0) return;
    const pipeline = redis.pipeline();
    for (const fields of batch) pipeline.xadd(keys.samples, "*", ...fields);
    pipeline.hincrby(keys.meta, "enqueued", batch.length);
    batch = [];
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
  };
  try {
    for await (const line of options.input) {
      if (enqueued >= limit) break;
      const item = parseLine(line, idFieldOf);
      current = { text: line.text, id: item.kind === "sample" ? item.sample.id : "" };
      checked.next(item);
      if (strictFailure) throw strictFailure;
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    flow.unsubscribe();
  }
  if (rejected) await redis.hincrby(keys.meta, "rejected", rejected);
  if (duplicates) await redis.hincrby(keys.meta, "duplicates", duplicates);
  return { enqueued, rejected, duplicates };
}
