import { ConfigError } from "../errors/config-error.js";
import type { MetricSpec, Task } from "../work/task.js";

/** The task's code metric (code_eval), when it has one: its scores need the code execution sandbox. */
export function codeMetricOf(task: Task): MetricSpec | undefined {
  return task.metrics.find((m) => m.execution);
}

/** True when running the task executes generated code: lm-eval's `unsafe_code: true`, or a code metric. */
export function needsCodeExecution(task: Task): boolean {
  return task.config.unsafe_code === true || codeMetricOf(task) !== undefined;
}

/**
 * Refuses (a ConfigError, exit 2) a run of tasks that execute generated code unless it was allowed:
 * lm-eval's `--confirm_run_unsafe_code`, streameval's `--allow-code-execution`.
 */
export function checkCodeExecutionAllowed(tasks: readonly Task[], allowed: boolean): void {
  if (allowed) return;
  const task = tasks.find(needsCodeExecution);
  if (!task) return;
  const why = task.config.unsafe_code === true ? "it is marked `unsafe_code: true`" : `its metric \`${codeMetricOf(task)!.name}\` runs them`;
  throw new ConfigError(
    `task \`${task.name}\` executes model-generated code (${why}); pass --allow-code-execution to run it in the sandbox (see docs/code-execution.md)`,
    { file: task.origin.file, key: "--allow-code-execution" },
  );
}
