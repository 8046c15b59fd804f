import type { Doc } from "../../types.js";

/**
 * One step of a `filter_list` pipeline: the sample's responses in, one output per response (or fewer).
 * `doc` is the sample's (multi_choice_regex reads its `choices`), when the caller has it.
 */
export type FilterStep = (responses: readonly string[], doc?: Doc) => string[];

/**
 * A filter that `filter_list` can name (`function: regex`). `create` binds the step's arguments (every
 * key but `function`) and throws a ZodError, with paths relative to the step, on an unknown or invalid one.
 */
export interface FilterFactory {
  create(args: Readonly<Record<string, unknown>>): FilterStep;
}
