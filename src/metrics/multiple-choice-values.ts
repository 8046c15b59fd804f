import type { PythonItemForm } from "../work/task.js";

/**
 * The per-sample values lm-eval's multiple_choice scoring gives each metric it knows
 * (`ConfigurableTask.process_results`, lm-eval 0.4.13), as a Python aggregation
 * (`aggregation: !function`) receives them when the task has no `process_results` of its own:
 *
 * - `acc`, `acc_norm`, `acc_bytes`: `1.0` or `0.0` (floats);
 * - `exact_match`: `1` or `0` (an int);
 * - `f1`, `mcc`: the tuple `(gold, pred)`: the gold index (−100 for a gold index error) and the likeliest choice;
 * - `likelihood`: `(gold, lls)`, the choices' loglikelihoods;
 * - `brier_score`: `(gold, softmax(lls))`.
 *
 * A metric lm-eval does not name there gets no value at all. The value is JSON on a result line (a
 * tuple as a list); `form` says how the hook worker rebuilds the Python value lm-eval passes.
 */
export const MULTIPLE_CHOICE_VALUE_FORMS = {
  acc: "float",
  acc_norm: "float",
  acc_bytes: "float",
  exact_match: "int",
  f1: "tuple",
  mcc: "tuple",
  likelihood: "tuple",
  brier_score: "tuple",
} as const satisfies Record<string, PythonItemForm>;

export type MultipleChoiceValueName = keyof typeof MULTIPLE_CHOICE_VALUE_FORMS;

/** Whether lm-eval's multiple_choice scoring gives `name` a per-sample value. */
export const isMultipleChoiceValue = (name: string): name is MultipleChoiceValueName => Object.hasOwn(MULTIPLE_CHOICE_VALUE_FORMS, name);

/** numpy-free `lm_eval.utils.softmax`: exp(x − max(x)) / Σ. */
export function softmax(xs: readonly number[]): number[] {
  const max = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}
