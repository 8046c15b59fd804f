import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { pythonReplacer, pythonReviver } from "./python-json.js";

// worker.py sits beside this file in src/; from dist/python/hooks/ it stays in src/python/hooks/ (package.json ships it).
const WORKER_SCRIPTS = [new URL("./worker.py", import.meta.url), new URL("../../../src/python/hooks/worker.py", import.meta.url)].map((u) => fileURLToPath(u));

/** The worker script's path (src/python/hooks/worker.py). */
export function workerScript(): string {
  return WORKER_SCRIPTS.find((f) => existsSync(f)) ?? WORKER_SCRIPTS[0]!;
}

/** What the worker said when it started. */
export interface WorkerHello {
  readonly python: string;
  /** `real` when the `datasets` package is installed, else `stand-in`. */
  readonly datasets: "real" | "stand-in";
}

/** The interpreter could not be started, or died: not a hook's own error. */
export class HookWorkerError extends Error {
  override readonly name = "HookWorkerError";
  readonly code = "E_HOOK_WORKER";
  constructor(
    message: string,
    /** `ENOENT` when the interpreter does not exist. */
    readonly errno?: string,
  ) {
    super(message);
  }
}

export const isHookWorkerError = (e: unknown): e is HookWorkerError => e instanceof HookWorkerError;

export interface HookWorkerOptions {
  /** The interpreter (`python3`, or `--python PATH`). */
  readonly python: string;
  readonly script: string;
  readonly env: NodeJS.ProcessEnv;
  /** Receives the worker's stderr (what hooks print), line by line. */
  readonly onStderr?: (line: string) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * One long-lived Python worker process: JSON lines over stdio, requests answered in order. `request`
 * resolves with the op's result; it rejects only with a HookWorkerError (the process died, or the
 * request was malformed), never for a hook that raised (that is data in the result).
 */
export class HookWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: HookWorkerError | undefined;
  private readonly stderrTail: string[] = [];
  /** Requests sent and not answered. */
  inFlight = 0;
  readonly ready: Promise<WorkerHello>;

  constructor(options: HookWorkerOptions) {
    this.child = spawn(options.python, ["-u", options.script], { env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let hello: ((h: WorkerHello) => void) | undefined;
    let helloFailed: ((e: Error) => void) | undefined;
    this.ready = new Promise<WorkerHello>((resolve, reject) => {
      hello = resolve;
      helloFailed = reject;
    });
    // Awaited by the pool; a rejection nobody awaits yet must not crash the process.
    this.ready.catch(() => {});
    const fail = (error: HookWorkerError) => {
      if (this.failure) return;
      this.failure = error;
      helloFailed?.(error);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.child.on("error", (e: NodeJS.ErrnoException) => fail(new HookWorkerError(`cannot start ${options.python}: ${e.message}`, e.code)));
    this.child.on("exit", (code, signal) => {
      const tail = this.stderrTail.at(-1);
      fail(new HookWorkerError(`the Python hook worker exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ""}`));
    });
    this.child.stdin.on("error", () => {}); // a dead worker is reported by `exit`
    createInterface({ input: this.child.stderr }).on("line", (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
      options.onStderr?.(line);
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      let msg: { id?: number; result?: unknown; error?: string; ready?: boolean; python?: string; datasets?: "real" | "stand-in" };
      try {
        msg = JSON.parse(line, pythonReviver) as typeof msg;
      } catch {
        fail(new HookWorkerError(`the Python hook worker wrote a line that is not JSON: ${line.slice(0, 120)}`));
        this.child.kill("SIGKILL");
        return;
      }
      if (msg.ready) {
        hello?.({ python: msg.python ?? "?", datasets: msg.datasets ?? "stand-in" });
        return;
      }
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      this.inFlight--;
      if (msg.error !== undefined) p.reject(new HookWorkerError(`the Python hook worker refused a request: ${msg.error}`));
      else p.resolve(msg.result);
    });
  }

  /** The worker died (or never started): every request to it fails. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Sends one request; resolves with its result. */
  request(op: string, payload: Record<string, unknown>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    this.inFlight++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ ...payload, id, op }, pythonReplacer)}\n`);
    });
  }

  /** Ends the worker: closes its stdin (it exits when done), and kills it if it has not after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    timer.unref();
    await exited;
    clearTimeout(timer);
  }
}
