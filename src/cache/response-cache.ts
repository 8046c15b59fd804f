import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Level } from "level";
import { asStoreError } from "../errors/store-error.js";
import type { ChatReply, ChatRequest } from "../work/model.js";
import { stableJson } from "./stable-json.js";

/** The cache's LevelDB folder inside `--store`, beside the checkpoint's. */
export const CACHE_DIR = "cache.leveldb";

/** A stored reply and when it was stored (ms since the epoch). */
interface Entry {
  readonly at: number;
  readonly model: string;
  readonly reply: ChatReply;
}

export interface ResponseCacheOptions {
  /** Entries older than this are not used (they are replaced by the next reply). Default: no limit. */
  readonly ttlMs?: number;
  /** Clock for `ttlMs` (tests pass their own). */
  readonly now?: () => number;
}

/** What identifies a reply: who was asked, and exactly what (see `cacheKey`). */
export interface CacheQuery {
  readonly endpoint?: string;
  readonly request: ChatRequest;
  /** The repeat index: it tells apart the repeats of a sampled request (temperature other than 0). */
  readonly repeat?: number;
}

/**
 * The response cache across runs (inspect's `--cache`, lm-eval's `--use_cache`): model replies in a
 * LevelDB of their own under the store, addressed by a hash of the endpoint, model and request body
 * (and the repeat index, for a sampled request, so that `repeats: 5` at temperature 1 keeps five
 * replies). A rerun after editing a filter or a metric finds every reply here and sends nothing.
 *
 * Writes are not awaited by the caller; `close` waits for them. A failed write loses one entry only.
 */
export class ResponseCache {
  readonly #db: Level<string, Entry>;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;
  readonly #pending = new Set<Promise<unknown>>();
  hits = 0;
  misses = 0;

  private constructor(db: Level<string, Entry>, options: ResponseCacheOptions) {
    this.#db = db;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Opens (creating) the cache of the store under `storeDir`. */
  static async open(storeDir: string, options: ResponseCacheOptions = {}): Promise<ResponseCache> {
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) throw new RangeError(`Expected \`ttlMs\` to be a number > 0, got ${options.ttlMs}`);
    try {
      await mkdir(storeDir, { recursive: true });
      const db = new Level<string, Entry>(join(storeDir, CACHE_DIR), { valueEncoding: "json" });
      await db.open();
      return new ResponseCache(db, options);
    } catch (error) {
      // Damaged, read-only, a full disk: said with the folder and what to do (--no-cache also works).
      throw asStoreError(error, storeDir);
    }
  }

  /** The stored reply for the query, or undefined (none, or older than the TTL). */
  async get(query: CacheQuery): Promise<ChatReply | undefined> {
    const entry = await this.#db.get(cacheKey(query));
    const fresh = entry !== undefined && (this.#ttlMs === undefined || this.#now() - entry.at <= this.#ttlMs);
    if (fresh) this.hits++;
    else this.misses++;
    return fresh ? entry.reply : undefined;
  }

  /** Stores a reply (in the background: `close` waits for it). */
  put(query: CacheQuery, reply: ChatReply): void {
    const write = this.#db.put(cacheKey(query), { at: this.#now(), model: query.request.model, reply }).catch(() => undefined);
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** Entries, by model, and the oldest and newest entry's time; reads every value once. */
  async stats(): Promise<{ entries: number; by_model: Record<string, number>; oldest: number | null; newest: number | null }> {
    let entries = 0;
    let oldest: number | null = null;
    let newest: number | null = null;
    const byModel: Record<string, number> = {};
    for await (const e of this.#db.values()) {
      entries++;
      byModel[e.model] = (byModel[e.model] ?? 0) + 1;
      oldest = oldest === null ? e.at : Math.min(oldest, e.at);
      newest = newest === null ? e.at : Math.max(newest, e.at);
    }
    return { entries, by_model: byModel, oldest, newest };
  }

  /** Deletes every entry; returns how many there were. */
  async clear(): Promise<number> {
    let n = 0;
    for await (const _ of this.#db.keys()) n++;
    await this.#db.clear();
    return n;
  }

  async close(): Promise<void> {
    await Promise.all(this.#pending);
    await this.#db.close();
  }
}

/**
 * The content address of a request: sha256 over the endpoint, the whole request body (keys sorted)
 * and, for a sampled request, the repeat index. A greedy request (temperature 0) is the same request
 * whatever its repeat, so its repeats share one reply, as they would share one answer.
 */
export function cacheKey(query: CacheQuery): string {
  const { request } = query;
  const sampled = request.temperature !== 0;
  const h = createHash("sha256");
  h.update(stableJson({ endpoint: query.endpoint ?? null, request, repeat: sampled ? (query.repeat ?? 0) : null }));
  return h.digest("hex");
}
