import { type ChildProcess, spawn } from "node:child_process";
import { cliArgs, root } from "../support/cli.js";

/** A CLI child process left running (a worker): kill it, or wait for its exit. */
export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
  stderr(): string;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [...cliArgs, ...args], { cwd: root, env: { ...process.env, OPENAI_BASE_URL: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr, stdout })),
  );
  return { child, done, stderr: () => stderr };
}

/** Polls `check` every 25 ms until it is true (or throws after `ms`). */
export async function until(check: () => Promise<boolean> | boolean, ms = 30_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
