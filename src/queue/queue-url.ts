import { ConfigError } from "../errors/config-error.js";

/** A Redis Cluster's seed nodes: the client learns the others from them. */
export interface ClusterSeeds {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

/** Where a queue lives: the Redis server (or Cluster), and the queue's name on it. */
export interface QueueAddress {
  /** The server's URL for the client (`redis://[user:pass@]host:port[/db]`), password included; for a cluster, its first seed. */
  readonly redisUrl: string;
  /** Set for `redis+cluster://` (or `rediss+cluster://`) URLs: connect as a Redis Cluster client. */
  readonly cluster?: ClusterSeeds;
  /** The queue's name: every key of the queue starts `streameval:{NAME}:`. */
  readonly name: string;
  /** The address as shown in messages: `redis://host:port/NAME`, never a password. */
  readonly display: string;
}

/** Queue names become part of Redis keys and of the hash tag `{NAME}`: no braces, no spaces. */
const NAME = /^[A-Za-z0-9_.+-]{1,128}$/;

const PROTOCOLS = new Set(["redis:", "rediss:", "redis+cluster:", "rediss+cluster:"]);

/**
 * `--queue redis://host:port/NAME` (or `rediss://` for TLS): the server and the queue's name. A
 * password in the URL (`redis://:secret@host:6379/nightly`) is passed to the client only; messages
 * show the address without it. `redis+cluster://host:port/NAME[?nodes=host2:port2,…]` names a Redis
 * Cluster by one or more seed nodes. Throws a ConfigError naming `--queue` when the URL is not one.
 */
export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`expected redis://HOST:PORT/NAME (or redis+cluster://HOST:PORT/NAME), got ${JSON.stringify(redact(text))}`, { key: "--queue" });
  }
  if (!PROTOCOLS.has(url.protocol)) {
    throw new ConfigError(`expected a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL, got ${JSON.stringify(url.protocol)}`, { key: "--queue" });
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!NAME.test(name)) {
    throw new ConfigError(`expected the queue's name after the port (redis://HOST:PORT/NAME; letters, digits, '.', '_', '+', '-'), got ${JSON.stringify(name)}`, { key: "--queue" });
  }
  const host = url.hostname || "127.0.0.1";
  const port = url.port || "6379";
  const tls = url.protocol.startsWith("rediss");
  const plain = tls ? "rediss:" : "redis:";
  const auth = url.username || url.password ? `${url.username}:${url.password}@` : "";
  const display = `${url.protocol}//${host}:${port}/${name}`;
  if (url.protocol.endsWith("+cluster:")) {
    if (url.searchParams.has("db")) throw new ConfigError("a Redis Cluster has only database 0: drop ?db=", { key: "--queue" });
    const more = (url.searchParams.get("nodes") ?? "").split(",").filter(Boolean).map((n) => seed(n));
    return {
      redisUrl: `${plain}//${auth}${host}:${port}`,
      cluster: {
        nodes: [{ host, port: Number(port) }, ...more],
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        tls,
      },
      name,
      display,
    };
  }
  const db = url.searchParams.get("db");
  return { redisUrl: `${plain}//${auth}${host}:${port}${db ? `/${db}` : ""}`, name, display };
}

function seed(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(text.trim());
  if (!m?.[1]) throw new ConfigError(`expected ?nodes=HOST:PORT,HOST:PORT, got ${JSON.stringify(text)}`, { key: "--queue" });
  return { host: m[1], port: Number(m[2] ?? 6379) };
}

/** A URL as it may be shown: its password replaced. */
function redact(text: string): string {
  return text.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:***@");
}
