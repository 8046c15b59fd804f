import { Cluster, Redis, type RedisOptions } from "ioredis";
import { ConfigError } from "../errors/config-error.js";
import type { QueueClient } from "./queue-client.js";
import type { QueueAddress } from "./queue-url.js";
import { defineQueueScripts } from "./queue-scripts.js";

export interface OpenRedisOptions {
  /** Shown by `CLIENT LIST` (the worker's name). */
  readonly connectionName?: string;
  /** Told when the connection drops and when it is back (a Redis restart, a network cut). */
  readonly onConnection?: (state: "lost" | "back", detail: string) => void;
}

/** 0.1 s doubling to 2 s, jittered. */
const backoff = (times: number) => Math.round(Math.min(100 * 2 ** Math.min(times - 1, 5), 2000) * (0.75 + Math.random() / 2));

/**
 * A client for the queue's server (or Cluster). A dropped connection is retried for ever with capped
 * backoff (0.1 s doubling to 2 s, jittered), and commands wait for it (`maxRetriesPerRequest: null`):
 * a Redis restart pauses the workers, it does not fail their samples. Commands sent but not
 * answered when the connection dropped are sent again on reconnect; every write the queue makes is
 * idempotent (results are keyed by work key, XACK of an acked entry does nothing).
 */
export function openRedis(address: QueueAddress, options: OpenRedisOptions = {}): QueueClient {
  let lost = false;
  const common: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    retryStrategy: backoff,
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  const c = address.cluster;
  const redis: QueueClient = c
    ? new Cluster(c.nodes.map((n) => ({ host: n.host, port: n.port })), {
        lazyConnect: true,
        enableAutoPipelining: true,
        clusterRetryStrategy: backoff,
        // A failover moves slots: follow MOVED/ASK, and wait out a cluster that is down as a server restart is waited out.
        retryDelayOnClusterDown: 200,
        retryDelayOnFailover: 200,
        redisOptions: { ...common, lazyConnect: false, ...(c.username ? { username: c.username } : {}), ...(c.password ? { password: c.password } : {}), ...(c.tls ? { tls: {} } : {}) },
      })
    : new Redis(address.redisUrl, common);
  // Connection errors are retried; without a listener ioredis would print each one.
  redis.on("error", (error: Error) => {
    if (!lost) {
      lost = true;
      options.onConnection?.("lost", `${address.display}: ${error.message}; retrying with backoff`);
    }
  });
  redis.on("ready", () => {
    if (lost) {
      lost = false;
      options.onConnection?.("back", address.display);
    }
  });
  defineQueueScripts(redis);
  return redis;
}

/**
 * Opens a client and waits until the server answers a PING; a server that does not answer within
 * `timeoutMs` is a configuration error (a wrong host or port), not something to wait out.
 */
export async function connectRedis(address: QueueAddress, options: OpenRedisOptions & { timeoutMs?: number } = {}): Promise<QueueClient> {
  const redis = openRedis(address, options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConfigError(`cannot reach Redis at ${address.display} (no answer within ${timeoutMs / 1000} s)`, { key: "--queue" })), timeoutMs);
  });
  redis.connect().catch(() => undefined);
  try {
    await Promise.race([redis.ping(), timeout]);
    return redis;
  } catch (error) {
    redis.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
