import { readdir, readFile } from "node:fs/promises";

/** The highest RSS a sampler saw, split as the kernel counts it (/proc/PID/status), in MB. */
export interface RssSplit {
  /** Highest VmRSS sampled (a sample can miss a short peak: /usr/bin/time's figure is the true peak). */
  readonly rss_mb: number;
  /** Highest RssAnon: the JS heap and native allocations (malloc arenas, LevelDB's memtables and index blocks). */
  readonly anon_mb: number;
  /** Highest RssFile: pages of mapped files (node's binary, LevelDB's tables, which it reads through mmap). */
  readonly file_mb: number;
  /** Samples taken. */
  readonly samples: number;
}

/**
 * Samples the RSS of `pid`'s process — or, when `pid` is a wrapper such as /usr/bin/time, of its first child —
 * every `everyMs` until `stop`, keeping the highest anonymous and file-backed figures (each at its own moment).
 */
export function sampleRss(pid: number, everyMs = 200): { stop: () => Promise<RssSplit> } {
  let rss = 0;
  let anon = 0;
  let file = 0;
  let samples = 0;
  let target: number | undefined;
  const tick = async () => {
    target ??= await firstChild(pid);
    const status = await readFile(`/proc/${target ?? pid}/status`, "utf8").catch(() => "");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    if (status === "") return;
    samples++;
    rss = Math.max(rss, kb("VmRSS"));
    anon = Math.max(anon, kb("RssAnon"));
    file = Math.max(file, kb("RssFile"));
  };
  let busy = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy.then(tick);
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
      return { rss_mb: rss / 1024, anon_mb: anon / 1024, file_mb: file / 1024, samples };
    },
  };
}

/** The first child of `pid` (from /proc/PID/task/*\/children), or undefined while it has none. */
async function firstChild(pid: number): Promise<number | undefined> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const task of tasks) {
    const children = await readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "");
    const first = Number(children.trim().split(/\s+/)[0]);
    if (first > 0) return first;
  }
  return undefined;
}
