/** Shared bench mechanics: child processes, the simulator in its own process, medians, tables. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

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
export async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
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
