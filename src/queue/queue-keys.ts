/**
 * The Redis keys of one queue. All of them share the hash tag `{NAME}`, so on a Redis Cluster they
 * live in one slot and the Lua scripts (which touch several at once) run there.
 */
export interface QueueKeys {
  /** String: the run definition (JSON) that `enqueue` wrote and workers read. */
  readonly definition: string;
  /** Stream: one entry per sample (`text`, `file`, `line`), read by the consumer group `workers`. */
  readonly samples: string;
  /** Stream: each result line as it was first recorded (`key`, `line`). */
  readonly results: string;
  /** Hash: work key → `ok|ENTRY` or `error|ENTRY`, the results stream entry that counts for it. */
  readonly done: string;
  /** Hash: counters and flags (enqueued, sealed, results, ok, errors, rejected, started_ms …). */
  readonly meta: string;
  /** Hash: worker (consumer name) → its last status report (JSON). */
  readonly workers: string;
  /** Hash: worker → the epoch ms (Redis's clock) after which it counts as dead. */
  readonly alive: string;
  /** List: lines a worker set aside (a producer's bad line), as JSON rejects. */
  readonly rejects: string;
  /** Hash: the shared budget's limits, spending and `exhausted` message. */
  readonly budget: string;
  /** Hashes: worker → nano-dollars / tokens reserved by its requests in flight. */
  readonly heldNanos: string;
  readonly heldTokens: string;
  /** Hash: absolute path on the enqueuing machine → text, the files the run needs (tasks, hooks, routes, models, few-shot). */
  readonly files: string;
  /** Hash: a model's shared request (`rpm`) or token (`tpm`) bucket. */
  bucket(model: string, kind: "rpm" | "tpm"): string;
}

/** The consumer group every worker joins. */
export const GROUP = "workers";

export function queueKeys(name: string): QueueKeys {
  const p = `streameval:{${name}}:`;
  return {
    definition: `${p}definition`,
    samples: `${p}samples`,
    results: `${p}results`,
    done: `${p}done`,
    meta: `${p}meta`,
    workers: `${p}workers`,
    alive: `${p}alive`,
    rejects: `${p}rejects`,
    budget: `${p}budget`,
    heldNanos: `${p}held-nanos`,
    heldTokens: `${p}held-tokens`,
    files: `${p}files`,
    bucket: (model, kind) => `${p}rate:${kind}:${model}`,
  };
}
