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
  /** Where the resident pages were at the highest VmRSS sample (/proc/PID/smaps), MB. */
  readonly atPeak: SmapsSplit | undefined;
}

/** Resident pages by kind of mapping, MB. */
export interface SmapsSplit {
  /** glibc's thread arenas (anonymous mappings aligned to 64 MB): native memory malloc'd off the main thread (LevelDB's). */
  readonly arenas: number;
  /** `[heap]`: native memory malloc'd by the main thread. */
  readonly brk: number;
  /** The other anonymous mappings: V8's heap, large ArrayBuffers. */
  readonly otherAnon: number;
  /** LevelDB's table files (`.ldb`), which it reads through mmap. */
  readonly ldb: number;
  /** Other files: node's binary and libraries. */
  readonly files: number;
}

/** Resident MB of each kind of mapping in a /proc/PID/smaps text. */
export function splitSmaps(text: string): SmapsSplit {
  const kb = { arenas: 0, brk: 0, otherAnon: 0, ldb: 0, files: 0 };
  let kind: keyof typeof kb = "files";
  for (const line of text.split("\n")) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const [, start, name] = head as unknown as [string, string, string];
      if (name === "") kind = BigInt(`0x${start}`) % 0x4000000n === 0n ? "arenas" : "otherAnon";
      else if (name === "[heap]") kind = "brk";
      else if (name.endsWith(".ldb")) kind = "ldb";
      else if (name.startsWith("[")) kind = "otherAnon";
      else kind = "files";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[kind] += Number(rss[1]);
  }
  const mb = (x: number) => x / 1024;
  return { arenas: mb(kb.arenas), brk: mb(kb.brk), otherAnon: mb(kb.otherAnon), ldb: mb(kb.ldb), files: mb(kb.files) };
}

/**
 * Samples the RSS of `pid`'s process — or, when `pid` is a wrapper such as /usr/bin/time, of its first child —
 * every `everyMs` until `stop`, keeping the highest anonymous and file-backed figures (each at its own moment),
 * and where the pages were at the highest VmRSS sample.
 */
export function sampleRss(pid: number, everyMs = 200): { stop: () => Promise<RssSplit> } {
  let rss = 0;
  let anon = 0;
  let file = 0;
  let samples = 0;
  let atPeak: SmapsSplit | undefined;
  let target: number | undefined;
  const tick = async () => {
    target ??= await firstChild(pid);
    const status = await readFile(`/proc/${target ?? pid}/status`, "utf8").catch(() => "");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    if (status === "") return;
    samples++;
    if (kb("VmRSS") > rss) {
      rss = kb("VmRSS");
      const smaps = await readFile(`/proc/${target ?? pid}/smaps`, "utf8").catch(() => "");
      if (smaps !== "") atPeak = splitSmaps(smaps);
    }
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
      return { rss_mb: rss / 1024, anon_mb: anon / 1024, file_mb: file / 1024, samples, atPeak };
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
