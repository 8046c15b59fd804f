import { HookWorker, HookWorkerError, type WorkerHello, workerScript } from "./hook-worker.js";
import type { PythonHook } from "./hook-ref.js";

/** A hook that could not be imported (its module is missing, or raised on import, or lacks the name). */
export class HookLoadError extends Error {
  override readonly name = "HookLoadError";
  readonly code = "E_HOOK_LOAD";
  constructor(
    readonly hook: PythonHook,
    readonly reason: string,
  ) {
    super(`\`${hook.tag}\`: cannot load it: ${reason}`);
  }
}

export interface HookPoolOptions {
  /** Every hook the run's tasks name. */
  readonly hooks: readonly PythonHook[];
  /** The interpreter (default `python3`). */
  readonly python?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Workers at most (default 2): a second starts only while every worker is busy. */
  readonly maxWorkers?: number;
  readonly onStderr?: (line: string) => void;
  /** The worker script (default: src/python/hooks/worker.py). */
  readonly script?: string;
}

/**
 * The run's Python hook workers: one to start, more (up to `maxWorkers`) while every worker is busy, so
 * a slow hook does not hold up the stream. Each worker imports every hook when it starts. `call` sends a
 * request to the least busy worker; a request never waits for more than one worker's start.
 */
export class HookPool {
  private readonly workers: { worker: HookWorker; started: Promise<void> }[] = [];
  private readonly keys = new Map<string, string>();
  private readonly maxWorkers: number;
  private readonly script: string;
  hello: WorkerHello | undefined;

  constructor(private readonly options: HookPoolOptions) {
    const max = options.maxWorkers ?? 2;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Expected \`maxWorkers\` to be an integer >= 1, got ${max}`);
    this.maxWorkers = max;
    this.script = options.script ?? workerScript();
    for (const hook of options.hooks) if (!this.keys.has(hook.id)) this.keys.set(hook.id, `h${this.keys.size}`);
  }

  /** The worker's key of a hook. */
  keyOf(hook: PythonHook): string {
    const key = this.keys.get(hook.id);
    if (key === undefined) throw new Error(`hook ${hook.tag} was not given to the pool`);
    return key;
  }

  /** Starts the first worker and imports every hook: rejects with a HookWorkerError or a HookLoadError. */
  async start(): Promise<WorkerHello> {
    if (this.workers.length === 0) this.spawn();
    await this.workers[0]!.started;
    return this.hello!;
  }

  /** One request to the least busy worker (a new one while all are busy and the pool has room). */
  async call(op: string, payload: Record<string, unknown>): Promise<unknown> {
    // A worker that died fails the requests it held; the next request starts another.
    for (let i = this.workers.length - 1; i >= 0; i--) if (this.workers[i]!.worker.failed) this.workers.splice(i, 1);
    let pick = this.workers.reduce<(typeof this.workers)[number] | undefined>((best, w) => (!best || w.worker.inFlight < best.worker.inFlight ? w : best), undefined);
    if (!pick || (pick.worker.inFlight > 0 && this.workers.length < this.maxWorkers)) pick = this.spawn();
    await pick.started;
    return pick.worker.request(op, payload);
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.close()));
    this.workers.length = 0;
  }

  private spawn(): (typeof this.workers)[number] {
    const worker = new HookWorker({ python: this.options.python ?? "python3", script: this.script, env: this.options.env, onStderr: this.options.onStderr });
    const started = (async () => {
      this.hello ??= await worker.ready;
      await worker.ready;
      const specs = Object.fromEntries(this.options.hooks.map((h) => [this.keyOf(h), { dir: h.dir, module: h.module, name: h.name }]));
      const errors = (await worker.request("load", { hooks: specs })) as Record<string, string | null>;
      for (const hook of this.options.hooks) {
        const reason = errors[this.keyOf(hook)];
        if (reason) throw new HookLoadError(hook, reason);
      }
    })();
    started.catch(() => {});
    const entry = { worker, started };
    this.workers.push(entry);
    return entry;
  }
}

export { HookWorkerError };
