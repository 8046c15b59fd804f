import { ConfigError } from "../errors/config-error.js";
import { HookLoadError, HookPool } from "../python/hooks/hook-pool.js";
import type { PythonHook } from "../python/hooks/hook-ref.js";
import { isHookWorkerError } from "../python/hooks/hook-worker.js";
import type { Task } from "../work/task.js";
import { hookEnvironment } from "../python/hooks/hook-env.js";
import type { StartPython } from "../store/stored-python-aggregations.js";

/** Every `!function` the tasks name. */
export function hooksOf(tasks: readonly Task[]): PythonHook[] {
  return tasks.flatMap((t) => t.pythonHooks ?? []);
}

/**
 * The run's Python hook workers, started, when a task has hooks (else undefined). Every problem starting
 * them is a ConfigError (exit 2) naming the YAML line of the first hook it concerns: no interpreter
 * (`--python`), a module that fails to import, a function the module lacks.
 */
export async function startHookWorkers(tasks: readonly Task[], options: { python: string; env: NodeJS.ProcessEnv; onStderr?: (line: string) => void }): Promise<HookPool | undefined> {
  const hooks = hooksOf(tasks);
  if (hooks.length === 0) return undefined;
  const pool = new HookPool({ hooks, python: options.python, env: options.env, onStderr: options.onStderr });
  try {
    await pool.start();
    return pool;
  } catch (error) {
    await pool.close();
    const first = hooks[0]!;
    const where = { file: first.file, line: first.line, key: first.key };
    if (error instanceof HookLoadError) throw new ConfigError(error.message, { file: error.hook.file, line: error.hook.line, key: error.hook.key });
    if (isHookWorkerError(error) && error.errno === "ENOENT") {
      throw new ConfigError(`\`${first.tag}\` needs Python: no interpreter \`${options.python}\` was found (install python3, or name one with --python PATH)`, where);
    }
    if (isHookWorkerError(error)) throw new ConfigError(`\`${first.tag}\` needs Python, and \`${options.python}\` could not run the hook worker: ${error.message} (name another with --python PATH)`, where);
    throw error;
  }
}

/**
 * Starts hook workers for a summary rebuilt from records (`runs export`, `collect`): they load only the
 * Python aggregation functions they are given. The environment is the hook environment (no credentials).
 */
export function aggregationWorkers(options: { python: string; env: NodeJS.ProcessEnv; onStderr?: (line: string) => void }): StartPython {
  return async (hooks) => {
    const pool = new HookPool({ hooks, python: options.python, env: hookEnvironment(options.env), onStderr: options.onStderr });
    try {
      await pool.start();
      return pool;
    } catch (error) {
      await pool.close();
      if (isHookWorkerError(error) && error.errno === "ENOENT") throw new Error(`no interpreter \`${options.python}\` was found (install python3, or name one with --python PATH)`, { cause: error });
      throw error;
    }
  };
}
