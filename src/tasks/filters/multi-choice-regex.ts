import { z } from "../../zod.js";
import type { Doc } from "../../types.js";
import { PyPatternSchema, pyCompile, pyFindall, pySub, type PyPattern } from "../../python/re.js";
import { pyStrip } from "../../python/str.js";
import type { FilterFactory, FilterStep } from "./types.js";

/**
 * lm-eval's `multi_choice_regex` (MultiChoiceRegexFilter, lm_eval/filters/extraction.py, 0.4.13), per
 * response: `regex_pattern`'s `group_select`-th match; failing that, a choice's text (`doc.choices`,
 * stripped, with `regexes_to_ignore` removed, lower-cased with `ignore_case`, punctuation removed with
 * `ignore_punctuation`, the same done to the response) found in the response gives its letter as
 * `(A)`; failing that, `:` and a bare letter (`: B`) gives `(B)`; else `fallback`.
 */
const Args = z.strictObject({
  regex_pattern: PyPatternSchema.prefault(String.raw`#### (\-?[0-9\.\,]+)`),
  group_select: z.number().int().default(0),
  fallback: z.string().default("[invalid]"),
  ignore_case: z.boolean().default(false),
  ignore_punctuation: z.boolean().default(false),
  regexes_to_ignore: z.array(PyPatternSchema).nullish(),
});

/** Python's `re.escape` (3.7+): the characters special in a pattern get a backslash. */
export function pyReEscape(s: string): string {
  return s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
}

const PUNCTUATION = /\p{P}/gu;

/** find_match: the group_select-th match (a tuple's first non-empty group), stripped, mapped by `convert`. */
function findMatch(re: PyPattern, resp: string, groupSelect: number, convert: ReadonlyMap<string, string> = new Map()): string {
  const matches = pyFindall(re, resp);
  if (matches.length === 0) return "";
  const m = matches[groupSelect < 0 ? matches.length + groupSelect : groupSelect];
  // lm-eval indexes past the end with an IndexError; no match is the nearest non-crashing reading.
  if (m === undefined) return "";
  const text = pyStrip(typeof m === "string" ? m : (m.find((g) => g) ?? ""));
  return text && convert.has(text) ? convert.get(text)! : text;
}

export const multiChoiceRegex = {
  create(args): FilterStep {
    const a = Args.parse(args);
    const ignores = (s: string): string => {
      for (const re of a.regexes_to_ignore ?? []) s = pySub(re, s, "");
      if (a.ignore_case) s = s.toLowerCase();
      if (a.ignore_punctuation) s = s.replace(PUNCTUATION, "");
      return s;
    };
    return (responses, doc?: Doc) => {
      const choices = Array.isArray(doc?.choices) ? (doc.choices as unknown[]).map(String) : [];
      const toAlpha = new Map<string, string>();
      const texts: string[] = [];
      const letters: string[] = [];
      const letterTo = new Map<string, string>();
      choices.forEach((c, i) => {
        const letter = String.fromCharCode(65 + i);
        const m = ignores(pyStrip(c));
        texts.push(pyReEscape(m));
        toAlpha.set(m, `(${letter})`);
        letters.push(letter);
        letterTo.set(letter, `(${letter})`);
      });
      const byText = pyCompile(texts.join("|"));
      const byLetter = pyCompile(String.raw`:[\s]*(` + letters.join("|") + ")");
      return responses.map((resp) => {
        let match = findMatch(a.regex_pattern, resp, a.group_select);
        if (!match) match = findMatch(byText, ignores(resp), 0, toAlpha);
        if (!match) match = findMatch(byLetter, resp, 0, letterTo);
        return match || a.fallback;
      });
    };
  },
} satisfies FilterFactory;
