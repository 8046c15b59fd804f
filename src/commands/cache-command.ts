import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { CACHE_DIR, ResponseCache } from "../cache/response-cache.js";
import { ConfigError } from "../errors/config-error.js";
import type { CommandIO } from "./run-command.js";

export interface CacheOptions {
  readonly store: string;
  readonly json?: boolean;
}

/** `streameval cache stats`: how many replies the response cache holds, by model, and its size on disk. */
export async function cacheStats(options: CacheOptions, io: Pick<CommandIO, "stdout">): Promise<number> {
  const cache = await openCache(options.store);
  try {
    const s = await cache.stats();
    const bytes = await folderBytes(join(options.store, CACHE_DIR));
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const report = { store: options.store, entries: s.entries, bytes, by_model: s.by_model, oldest: iso(s.oldest), newest: iso(s.newest) };
    if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      io.stdout.write(`response cache in ${join(options.store, CACHE_DIR)}: ${s.entries} repl${s.entries === 1 ? "y" : "ies"}, ${(bytes / 1e6).toFixed(1)} MB on disk\n`);
      for (const [model, n] of Object.entries(s.by_model)) io.stdout.write(`  ${model}: ${n}\n`);
      if (s.entries > 0) io.stdout.write(`  stored from ${report.oldest} to ${report.newest}\n`);
    }
    return 0;
  } finally {
    await cache.close();
  }
}

/** `streameval cache clear`: deletes every cached reply (the checkpoint's records stay). */
export async function cacheClear(options: CacheOptions, io: Pick<CommandIO, "stdout">): Promise<number> {
  const cache = await openCache(options.store);
  try {
    const n = await cache.clear();
    io.stdout.write(`cleared ${n} cached repl${n === 1 ? "y" : "ies"} from ${join(options.store, CACHE_DIR)}\n`);
    return 0;
  } finally {
    await cache.close();
  }
}

async function openCache(store: string): Promise<ResponseCache> {
  try {
    return await ResponseCache.open(store);
  } catch (error) {
    if (isLocked(error)) throw new ConfigError(`the response cache in ${store} is in use by a running evaluation; try again when it ends`, { key: "--store" });
    throw error;
  }
}

function isLocked(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === "LEVEL_LOCKED") return true;
  return false;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
  return total;
}
