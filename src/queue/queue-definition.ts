import type { QueueClient } from "./queue-client.js";
import type { ResolvedPrice } from "../cost/resolve-prices.js";
import { ConfigError } from "../errors/config-error.js";
import type { TaskMeta } from "../store/run-meta.js";
import type { GroupSpec } from "../summary/groups.js";
import type { QueueKeys } from "./queue-keys.js";
import type { ResultsRetention } from "./queue-trim.js";

/** A `-t` reference as a worker loads it: a bundled name, or a task file with its text (for machines without the file). */
export interface TaskSource {
  readonly ref: string;
  /** The file's absolute path on the enqueuing machine (used as is where it exists). */
  readonly file?: string;
  readonly text?: string;
}

/**
 * What `enqueue` writes beside the samples and every worker reads: the run's flags (as the command
 * line gave them, so each worker resolves them as `run` would, with its own keys from its own
 * environment), the tasks' text, and what `collect` needs to build the summary. Never a key: only
 * the names of the variables that hold them.
 */
export interface QueueDefinition {
  readonly version: 1;
  /** The run id (`--run`, or the fingerprint `run` would compute). */
  readonly run: string;
  readonly created_at: string;
  /** `run`'s flags, minus those of one machine (inputs, output, store, progress, limit). */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly tasks: readonly TaskSource[];
  readonly taskMeta: readonly TaskMeta[];
  readonly groups?: readonly GroupSpec[];
  readonly models: readonly string[];
  /** Each model's price as resolved at enqueue (the summary's cost section). */
  readonly prices: readonly ResolvedPrice[];
  /** Result lines each sample makes, per task: models × repeats. */
  readonly perSample: Readonly<Record<string, number>>;
  /** A stream a producer keeps appending to: workers wait for more instead of finishing. */
  readonly continuous: boolean;
  /** Samples are routed (`--route`): `perSample` is per routed model, and a worker counts each sample's models as it routes it. */
  readonly routed?: boolean;
  /** The files the run needs, by absolute path on the enqueuing machine; their text is in the queue's `files` hash. */
  readonly files?: readonly string[];
  /** A continuous queue's results are trimmed to this (`enqueue --retain`). */
  readonly retain?: ResultsRetention;
}

/** Reads the queue's definition; a queue nothing was enqueued to is a ConfigError. */
export async function readDefinition(redis: QueueClient, keys: QueueKeys, display: string): Promise<QueueDefinition> {
  const text = await redis.get(keys.definition);
  if (text === null) throw new ConfigError(`no run was enqueued to ${display} (run \`streameval enqueue … --queue ${display}\` first)`, { key: "--queue" });
  const def = JSON.parse(text) as QueueDefinition;
  if (def.version !== 1) throw new ConfigError(`the queue at ${display} was written by another version of streameval (definition version ${String(def.version)})`, { key: "--queue" });
  return def;
}
