import { lowercase } from "./lowercase.js";
import { majorityVote } from "./majority-vote.js";
import { map } from "./map.js";
import { multiChoiceRegex } from "./multi-choice-regex.js";
import { regex } from "./regex.js";
import { removeWhitespace } from "./remove-whitespace.js";
import { stripReasoning } from "./strip-reasoning.js";
import { takeFirst } from "./take-first.js";
import { takeFirstK } from "./take-first-k.js";
import type { FilterFactory } from "./types.js";
import { uppercase } from "./uppercase.js";

/** The `function` names `filter_list` may use, as in lm-evaluation-harness. Add new filters here. */
export const filters = {
  regex,
  take_first: takeFirst,
  take_first_k: takeFirstK,
  multi_choice_regex: multiChoiceRegex,
  majority_vote: majorityVote,
  lowercase,
  uppercase,
  remove_whitespace: removeWhitespace,
  map,
  strip_reasoning: stripReasoning,
} satisfies Record<string, FilterFactory>;

export type FilterName = keyof typeof filters;

export function getFilter(name: string): FilterFactory | undefined {
  return Object.hasOwn(filters, name) ? filters[name as FilterName] : undefined;
}
