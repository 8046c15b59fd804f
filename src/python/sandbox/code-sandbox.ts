import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULT_SANDBOX_LIMITS, limitsRequest, type SandboxLimits } from "./limits.js";
import type { Isolation, Verdict } from "./verdict.js";

// Beside this module when run from src/; from dist/python/sandbox/, the script stays in src/python/sandbox.
const LAUNCHER = [new URL("./launch.py", import.meta.url), new URL("../../../src/python/sandbox/launch.py", import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p));

/** The launcher script every sandboxed program goes through (also used by the Python `evaluate` shim). */
export function launcherPath(): string {
  if (!LAUNCHER) throw new Error("the code execution launcher (src/python/sandbox/launch.py) is missing from this install");
  return LAUNCHER;
}

// What the launcher itself sees of the environment: enough to find the interpreter, no keys.
const PASSED_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV"];
// Launcher overhead beyond the limits (interpreter start-ups, namespaces) before Node gives up on it.
const LAUNCHER_SLACK_MS = 10_000;

export interface CodeSandboxOptions {
  /** Interpreter for the launcher and the programs (default `python3` on PATH). */
  readonly python?: string;
  readonly limits?: Partial<SandboxLimits>;
  /** Programs running at once (default 2). */
  readonly concurrency?: number;
  /** The environment the interpreter is looked up in (default process.env); only PATH-like variables are passed on. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs programs in the sandbox, at most `concurrency` at once. */
export interface CodeSandbox {
  readonly limits: SandboxLimits;
  /** Runs one program (a candidate plus its tests); never rejects for the program's own failures. */
  run(program: string, signal?: AbortSignal): Promise<Verdict>;
  /** Runs `pass` through the whole sandbox: the isolation in force here, or an Error saying why it cannot run. */
  probe(): Promise<Isolation>;
}

/** A pool of sandboxes; each program gets its own launcher process, folder and namespaces. */
export function createCodeSandbox(options: CodeSandboxOptions = {}): CodeSandbox {
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Expected \`concurrency\` to be an integer >= 1, got ${concurrency}`);
  const pool = new Slots(concurrency);
  const env = Object.fromEntries(PASSED_ENV.flatMap((k) => (options.env ?? process.env)[k] !== undefined ? [[k, (options.env ?? process.env)[k] as string]] : []));
  // The interpreter `python` names, once a launcher has said which it is: later launches skip a wrapper
  // such as pyenv's shim (a shell script that costs more than the sandbox itself).
  let python = options.python ?? "python3";
  const timeoutMs = (limits.timeoutS + 2) * 1000 + LAUNCHER_SLACK_MS;

  const launch = async (args: string[], input: string | undefined, signal?: AbortSignal): Promise<Verdict> => {
    const release = await pool.acquire(signal);
    try {
      const verdict = await runLauncher(python, [launcherPath(), ...args], input, env, timeoutMs, signal);
      if (verdict.isolation.python) python = verdict.isolation.python;
      return verdict;
    } finally {
      release();
    }
  };
  return {
    limits,
    run: (program, signal) => launch([], JSON.stringify({ program, ...limitsRequest(limits) }), signal),
    probe: async () => {
      const verdict = await launch(["--probe"], undefined);
      if (!verdict.passed) throw new Error(`the code execution sandbox cannot run a program here: ${verdict.isolation.setup_error ?? verdict.detail ?? verdict.result}`);
      return verdict.isolation;
    },
  };
}

/** One launcher process: request on stdin, one verdict line on stdout. */
function runLauncher(python: string, args: string[], input: string | undefined, env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const kill = () => child.kill("SIGKILL");
    // The launcher kills its sandbox at the limits; this only guards against a launcher that hangs.
    const timer = setTimeout(kill, timeoutMs);
    signal?.addEventListener("abort", kill, { once: true });
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out = (out + d).slice(-65536)));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err = (err + d).slice(-4096)));
    child.stdin.on("error", () => undefined);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${python} for code execution: ${e.message} (install Python 3 or pass --python PATH)`));
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", kill);
      try {
        resolve(JSON.parse(out) as Verdict);
      } catch {
        const why = sig ? `killed by ${sig}` : `exit code ${code}`;
        reject(new Error(`the code execution launcher failed (${why}): ${err.trim().split("\n").pop() ?? ""}`));
      }
    });
    child.stdin.end(input ?? "");
  });
}

/** At most `limit` holders at once, the rest wait in order (python/ sits below reliability's Semaphore). */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.#free = limit;
  }
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#waiting.splice(this.#waiting.indexOf(grant), 1);
          reject(signal!.reason as Error);
        };
        if (signal?.aborted) return reject(signal.reason as Error);
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiting.push(grant);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
