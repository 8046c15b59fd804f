import { ConfigError } from "../errors/config-error.js";

/** Where a queue lives: the Redis server, and the queue's name on it. */
export interface QueueAddress {
  /** The server's URL for the client (`redis://[user:pass@]host:port[?db=N]`), password included. */
  readonly redisUrl: string;
  /** The queue's name: every key of the queue starts `streameval:{NAME}:`. */
  readonly name: string;
  /** The address as shown in messages: `redis://host:port/NAME`, never a password. */
  readonly display: string;
}

/** Queue names become part of Redis keys and of the hash tag `{NAME}`: no braces, no spaces. */
const NAME = /^[A-Za-z0-9_.+-]{1,128}$/;

/**
 * `--queue redis://host:port/NAME` (or `rediss://` for TLS): the server and the queue's name. A
 * password in the URL (`redis://:secret@host:6379/nightly`) is passed to the client only; messages
 * show the address without it. Throws a ConfigError naming `--queue` when the URL is not one.
 */
export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`expected redis://HOST:PORT/NAME, got ${JSON.stringify(text)}`, { key: "--queue" });
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(`expected a redis:// or rediss:// URL, got ${JSON.stringify(url.protocol)}`, { key: "--queue" });
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!NAME.test(name)) {
    throw new ConfigError(`expected the queue's name after the port (redis://HOST:PORT/NAME; letters, digits, '.', '_', '+', '-'), got ${JSON.stringify(name)}`, { key: "--queue" });
  }
  const host = url.hostname || "127.0.0.1";
  const port = url.port || "6379";
  const auth = url.username || url.password ? `${url.username}:${url.password}@` : "";
  const db = url.searchParams.get("db");
  return {
    redisUrl: `${url.protocol}//${auth}${host}:${port}${db ? `/${db}` : ""}`,
    name,
    display: `${url.protocol}//${host}:${port}/${name}`,
  };
}
