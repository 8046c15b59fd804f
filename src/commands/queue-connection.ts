import type { QueueClient } from "../queue/queue-client.js";
import { type QueueKeys, queueKeys } from "../queue/queue-keys.js";
import { type QueueAddress, parseQueueUrl } from "../queue/queue-url.js";
import { connectRedis, openRedis } from "../queue/redis-connection.js";

/** A command's connection to a queue: its address, keys and client, and how to close them. */
export interface QueueConnection {
  readonly address: QueueAddress;
  readonly keys: QueueKeys;
  readonly redis: QueueClient;
  /** A second connection for blocking reads (workers, `collect --follow`), opened on first use. */
  blocking(): QueueClient;
  close(): Promise<void>;
}

/**
 * Connects to `--queue URL`: a ConfigError (exit 2) when the URL is bad or the server does not answer
 * within 10 s. Later drops are retried with backoff, and said on stderr when `note` is given.
 */
export async function openQueue(url: string, note?: (text: string) => void, connectionName?: string): Promise<QueueConnection> {
  const address = parseQueueUrl(url);
  const onConnection = note ? (state: "lost" | "back", detail: string) => note(state === "lost" ? `redis: connection lost (${detail})\n` : `redis: connected again (${detail})\n`) : undefined;
  const redis = await connectRedis(address, { ...(onConnection ? { onConnection } : {}), ...(connectionName ? { connectionName } : {}) });
  let blocking: QueueClient | undefined;
  return {
    address,
    keys: queueKeys(address.name),
    redis,
    blocking: () => (blocking ??= openRedis(address, connectionName ? { connectionName: `${connectionName}-read` } : {})),
    close: async () => {
      // QUIT waits for replies still due; a blocked read is cut short.
      blocking?.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
