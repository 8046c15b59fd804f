import { z } from "../../zod.js";
import { PyPatternSchema, pyFindall, type PyPattern } from "../../python/re.js";
import { pyStrip } from "../../python/str.js";
import type { FilterFactory, FilterStep } from "./types.js";

/**
 * lm-evaluation-harness's `regex` filter (RegexFilter, lm_eval/filters/extraction.py), per response:
 * `re.findall(regex_pattern, response)`; none → `fallback`; else take the `group_select`-th match
 * (negative counts from the end); a match of a pattern with several groups is a tuple, of which the
 * first non-empty group is taken (all empty → `fallback`); the result is `.strip()`ped.
 *
 * Where lm-eval raises IndexError (`group_select` beyond the matches), this returns `fallback`.
 */
const Args = z.strictObject({
  regex_pattern: PyPatternSchema.prefault(String.raw`#### (\-?[0-9\.\,]+)`),
  group_select: z.number().int().default(0),
  fallback: z.string().default("[invalid]"),
});

export function extractMatch(re: PyPattern, response: string, groupSelect: number, fallback: string): string {
  const matches = pyFindall(re, response);
  if (matches.length === 0) return fallback;
  const match = matches[groupSelect < 0 ? matches.length + groupSelect : groupSelect];
  if (match === undefined) return fallback;
  if (typeof match === "string") return pyStrip(match);
  // lm-eval strips the fallback too on this path.
  return pyStrip(match.find((g) => g !== "") ?? fallback);
}

export const regex = {
  create(args): FilterStep {
    const a = Args.parse(args);
    const re = a.regex_pattern;
    return (responses) => responses.map((r) => extractMatch(re, r, a.group_select, a.fallback));
  },
} satisfies FilterFactory;
