import type { NamedFilter } from "../../work/task.js";
import type { FilterStep } from "./types.js";

/** A `filter_list` entry: its steps applied in order, as lm-eval's FilterEnsemble does. */
export function filterPipeline(name: string, steps: readonly FilterStep[]): NamedFilter {
  return {
    name,
    apply: (responses, doc) => steps.reduce<string[]>((acc, step) => step(acc, doc), [...responses]),
  };
}
