import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
/**
 * Node arguments that start the CLI from the current TypeScript source (not bin/ → dist/), so tests never run a
 * stale build; the packed, compiled CLI is checked by .ci/package-check.sh. The loader is an absolute URL, so a
 * test may run the CLI from any folder. STREAMEVAL_TEST_CLI=bin runs the CLI tests against the built bundle
 * instead (after `npm run build`), to check the bundling.
 */
export const cliArgs: readonly string[] =
  process.env.STREAMEVAL_TEST_CLI === "bin" ? [`${root}bin/streameval.js`] : ["--import", import.meta.resolve("tsx"), `${root}src/cli.ts`];

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real CLI in a child process, feeding `stdin` and collecting its output. `wrap` is a command the
 * CLI is started under (its arguments then `node …cli… args`), e.g. a mount namespace for a read-only store.
 */
export function runCli(args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string; wrap?: readonly string[] } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "", ...options.env };
    const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
    const child = spawn(command, [...prefix, ...cliArgs, ...args], { cwd: options.cwd ?? root, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}
