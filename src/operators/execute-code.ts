import { from, mergeMap, of, type OperatorFunction } from "rxjs";
import type { Outcome } from "../work/work-item.js";
import type { CodeSandbox } from "../python/sandbox/code-sandbox.js";
import { codeMetricOf } from "../tasks/code-execution.js";
import type { MetricSpec } from "../work/task.js";
import type { ResultLine } from "../types.js";

/**
 * Scores code metrics (code_eval): for each filter of an ok line, the program built from its answer,
 * a newline and the target (the task's tests), as HF evaluate's code_eval builds it, runs in the
 * sandbox; the line gets `pass@1,<filter>` (1 when it passed) and `execution` (each run's verdict). A
 * sample's pass@k over its repeats is computed from these when its repeats complete (gatherRepeats).
 *
 * Lines of other tasks, and error lines, pass through as they are. The sandbox limits how many
 * programs run at once; lines come out in completion order. A sandbox that cannot run a program at all
 * (the launcher failed) makes the line an error, retried by a rerun; a program that fails is a score of 0.
 */
export function executeCode(sandbox: CodeSandbox | undefined, signal?: AbortSignal): OperatorFunction<Outcome, Outcome> {
  return mergeMap((outcome) => {
    const metric = codeMetricOf(outcome.work.task);
    if (!metric || outcome.line.status !== "ok") return of(outcome);
    return from(scoreLine(outcome, metric, sandbox, signal).then((line) => ({ ...outcome, line })));
  });
}

async function scoreLine(outcome: Outcome, metric: MetricSpec, sandbox: CodeSandbox | undefined, signal?: AbortSignal): Promise<ResultLine> {
  const { line, work } = outcome;
  const execution = metric.execution!;
  if (!sandbox) return codeError(line, "code execution is not allowed: pass --allow-code-execution");
  const runs = new Map<string, Promise<{ passed: boolean; result: string }>>();
  const filters = Object.entries(line.filtered ?? {});
  try {
    const verdicts = await Promise.all(
      filters.map(([, answer]) => {
        const program = `${execution.program(work.sample.doc, answer)}\n${line.target ?? ""}`;
        // Filters that agree share one run.
        let run = runs.get(program);
        if (!run) runs.set(program, (run = sandbox.run(program, signal).then((v) => ({ passed: v.passed, result: v.result }))));
        return run;
      }),
    );
    const scores = { ...line.scores };
    const executions: NonNullable<ResultLine["execution"]> = {};
    filters.forEach(([filter], i) => {
      scores[`${execution.key(1)},${filter}`] = verdicts[i]!.passed ? 1 : 0;
      executions[filter] = verdicts[i]!;
    });
    return { ...line, scores, execution: executions };
  } catch (e) {
    return codeError(line, (e as Error).message);
  }
}

function codeError(line: ResultLine, message: string): ResultLine {
  const { scores: _scores, ...rest } = line;
  return { ...rest, status: "error", error: { type: "code_execution", message, attempts: line.timing?.attempts ?? 1 } };
}
