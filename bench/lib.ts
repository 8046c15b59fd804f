/** Shared bench mechanics: child processes, the simulator in its own process, medians, tables. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const cli = `${root}bin/streameval.js`;
/** The public datasets as JSONL (see docs/benchmarks.md); default: the project's shared folder beside the clone. */
export const datasets = process.env.BENCH_DATASETS ?? `${root}../shared/datasets`;

export interface Timed {
  readonly wall_s: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to the end, timing it from spawn (start-up included). */
export async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ChildProcess) => void): Promise<Timed> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { wall_s: (performance.now() - t0) / 1000, code, stdout, stderr };
}

/** Starts `streameval sim` in its own process and resolves with its base URL once it listens. */
export async function startSimProcess(args: string[]): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [cli, "sim", "--port", "0", ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  let buf = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`sim exited ${code}: ${buf}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** N GSM8K lines with distinct ids, written to a temp file (the test split repeated). */
export async function gsm8kLines(n: number, path: string): Promise<string> {
  const src = (await readFile(`${datasets}/gsm8k_test.jsonl`, "utf8")).trim().split("\n");
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const doc = JSON.parse(src[i % src.length] as string) as Record<string, unknown>;
    doc.id = `${doc.id as string}-r${Math.floor(i / src.length)}`;
    out.write(`${JSON.stringify(doc)}\n`);
  }
  out.end();
  await once(out, "finish");
  return path;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export function printTable(title: string, rows: (string | number)[][]): void {
  const text = rows.map((r) => r.map((c) => (typeof c === "number" ? (Number.isInteger(c) ? String(c) : c.toFixed(3)) : c)));
  const widths = text[0]?.map((_, i) => Math.max(...text.map((r) => (r[i] ?? "").length))) ?? [];
  console.log(`\n## ${title}\n`);
  text.forEach((r, i) => {
    console.log(`| ${r.map((c, j) => c.padEnd(widths[j] ?? 0)).join(" | ")} |`);
    if (i === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  });
}

/**
 * A bench script compiled to plain JavaScript (esbuild, dependencies left to node_modules) in .bench/, so it runs
 * under `node` as a user's program would: no TypeScript loader's start-up, memory or speed in its figures.
 */
export async function compiled(script: string): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = `${root}.bench/${script.replace(/\.ts$/, ".mjs")}`;
  // Source files that find files beside themselves (bundled tasks, Python scripts) keep their own URL.
  const ownUrl = {
    name: "own-import-meta-url",
    setup(b: { onLoad: (o: { filter: RegExp }, f: (a: { path: string }) => Promise<{ contents: string; loader: "ts" }>) => void }) {
      b.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => ({ contents: (await readFile(path, "utf8")).replaceAll("import.meta.url", JSON.stringify(pathToFileURL(path).href)), loader: "ts" }));
    },
  };
  await build({ entryPoints: [`${root}bench/${script}`], outfile, bundle: true, packages: "external", format: "esm", platform: "node", target: "node20", plugins: [ownUrl], logLevel: "warning" });
  return outfile;
}

export interface Measured {
  /** Spawn to exit. */
  readonly wall_s: number;
  /** User + system CPU seconds of the process (and its threads), from /usr/bin/time. */
  readonly cpu_s: number;
  /** Peak resident memory of the process, MB. */
  readonly peak_mb: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to the end under /usr/bin/time: wall time from spawn (start-up included), CPU and peak RSS.
 * `onSpawn` gets the /usr/bin/time process as it starts (the command is its child: see rss-split.ts).
 */
export async function measured(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ChildProcess) => void): Promise<Measured> {
  await mkdir(`${root}.bench`, { recursive: true });
  const file = `${root}.bench/time-${process.pid}.txt`;
  const t = await timed("/usr/bin/time", ["-f", "%U %S %M", "-o", file, cmd, ...args], env, onSpawn);
  const [user, sys, kb] = (await readFile(file, "utf8")).trim().split("\n").at(-1)!.split(" ").map(Number) as [number, number, number];
  return { wall_s: t.wall_s, cpu_s: user + sys, peak_mb: kb / 1024, code: t.code, stdout: t.stdout, stderr: t.stderr };
}
