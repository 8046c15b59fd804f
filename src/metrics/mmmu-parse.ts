import { pyFloat } from "../python/float.js";
import { PyRandom } from "../python/random.js";
import { pyCompile, pyFindall, pyReSplit } from "../python/re.js";
import { pyRound } from "../python/round.js";
import { pySplit, pyStrip } from "../python/str.js";

/**
 * MMMU's answer parsing and checking, as lmms-eval runs them (`tasks/_task_utils/mmmu_mcq_utils.py`
 * and `tasks/mmmu/utils.py`, both from the MMMU benchmark's `eval_utils.py`), with Python's string,
 * regex, float and rounding semantics. Pure.
 */

/** A parsed open answer: MMMU keeps strings (lowercased) and numbers (floats rounded to 2 places). */
export type OpenPrediction = string | number;

/** `get_multi_choice_info`: the letters A, B, … for the options, and each letter's option. */
export function multiChoiceInfo(options: readonly string[]): { index2ans: Map<string, string>; allChoices: string[] } {
  const allChoices = options.map((_, i) => String.fromCharCode(65 + i));
  return { index2ans: new Map(allChoices.map((c, i) => [c, options[i]!])), allChoices };
}

/**
 * `parse_mmmu_multi_choice_response`: the letter a response picks — `(B)`, then `B ` (a letter
 * followed by a space), then `B.`, then (in a response of more than five words) an option's text;
 * of several, the one found last. With none, lmms-eval draws a random letter from its run's global
 * random state; here `random.Random(seed).choice(letters)`, the seed a function of the sample, so a
 * rerun scores the same.
 */
export function parseMultiChoiceResponse(response: string, allChoices: readonly string[], index2ans: ReadonlyMap<string, string>, seed: number): string {
  let r = response;
  for (const ch of [",", ".", "!", "?", ";", ":", "'"]) r = pyStrip(r, ch);
  r = ` ${r} `;
  let indexAns = true;
  let ansWithBrack = false;
  let candidates: string[] = [];
  for (const c of allChoices) {
    if (r.includes(`(${c})`)) {
      candidates.push(c);
      ansWithBrack = true;
    }
  }
  if (candidates.length === 0) candidates = allChoices.filter((c) => r.includes(`${c} `));
  if (candidates.length === 0) candidates = allChoices.filter((c) => r.includes(`${c}.`));
  if (candidates.length === 0 && pySplit(r).length > 5) {
    for (const [index, ans] of index2ans) {
      if (r.toLowerCase().includes(ans.toLowerCase())) {
        candidates.push(index);
        indexAns = false;
      }
    }
  }
  if (candidates.length === 0) return new PyRandom(seed).choice(allChoices);
  if (candidates.length === 1) return candidates[0]!;
  const starts = candidates.map((can) =>
    indexAns ? (ansWithBrack ? r.lastIndexOf(`(${can})`) : r.lastIndexOf(` ${can} `)) : r.toLowerCase().lastIndexOf(index2ans.get(can)!.toLowerCase()),
  );
  // np.argmax: the first of the largest.
  let best = 0;
  starts.forEach((s, i) => {
    if (s > starts[best]!) best = i;
  });
  return candidates[best]!;
}

const SUB_RESPONSES = pyCompile(String.raw`\.\s(?=[A-Z])|\n`);
const NUMBER_WITH_COMMAS = pyCompile(String.raw`-?\b\d{1,3}(?:,\d{3})+\b`);
const NUMBER_SCIENTIFIC = pyCompile(String.raw`-?\d+(?:\.\d+)?[eE][+-]?\d+`);
const NUMBER_SIMPLE = pyCompile(String.raw`-?(?:\d+\.\d+|\.\d+|\d+\b)(?![eE][+-]?\d+)(?![,\d])`);
const TRIVIAL = new Set([":", ",", ".", "!", "?", ";", "'"]);
const INDICATORS = ["could be ", "so ", "is ", "thus ", "therefore ", "final ", "answer ", "result "];

/** `extract_numbers`: numbers with thousands commas, then scientific ones, then plain ones, as text. */
export function extractNumbers(text: string): string[] {
  return [NUMBER_WITH_COMMAS, NUMBER_SCIENTIFIC, NUMBER_SIMPLE].flatMap((p) => pyFindall(p, text) as string[]);
}

/** `check_is_number`: whether Python's float() reads the text with its commas removed. */
export const isNumber = (text: string): boolean => pyFloat(text.replaceAll(",", "")) !== undefined;

/** `normalize_str`: a number as a float rounded to 2 places; else lowercased text, a single character padded both ways. */
export function normalizeStr(text: string): OpenPrediction[] {
  const s = pyStrip(text);
  if (isNumber(s)) return [pyRound(pyFloat(s.replaceAll(",", ""))!, 2)];
  const lower = s.toLowerCase();
  return [...lower].length === 1 ? [` ${lower}`, `${lower} `] : [lower];
}

/**
 * `parse_open_response`: the tails of the response's key sentences (after "is ", "so ", "answer " …,
 * and "=" in the last), the numbers in them, each normalized; duplicates removed.
 */
export function parseOpenResponse(response: string): OpenPrediction[] {
  const keys = keySubResponses(response);
  const preds = [...keys, ...keys.flatMap(extractNumbers)].flatMap(normalizeStr);
  const seen = new Set<string>();
  // A Python set: 0.0 and -0.0 are one number; a string and a number never equal.
  return preds.filter((p) => {
    const k = typeof p === "number" ? `n:${p === 0 ? 0 : p}` : `s:${p}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function keySubResponses(response: string): string[] {
  const text = pyStrip(pyStrip(response), ".").toLowerCase();
  const subs = pyReSplit(SUB_RESPONSES, text) as string[];
  const keys: string[] = [];
  const indicators = [...INDICATORS];
  subs.forEach((resp, index) => {
    if (index === subs.length - 1) indicators.push("=");
    let shortest: string | undefined;
    for (const indicator of indicators) {
      if (!resp.includes(indicator)) continue;
      const tail = pyStrip(resp.split(indicator).at(-1)!);
      if (!shortest || [...tail].length < [...shortest].length) shortest = tail;
    }
    if (shortest && !TRIVIAL.has(pyStrip(shortest))) keys.push(shortest);
  });
  return keys.length === 0 ? [text] : keys;
}

/** `eval_multi_choice`: the parsed letter equals the gold letter. */
export const evalMultiChoice = (gold: string, pred: string): boolean => gold === pred;

/** `eval_open`: a text prediction contains a normalized gold text, or a number equals a normalized gold number. */
export function evalOpen(gold: string, preds: readonly OpenPrediction[]): boolean {
  const norm = normalizeStr(gold);
  return preds.some((pred) => (typeof pred === "string" ? norm.some((a) => typeof a === "string" && pred.includes(a)) : norm.some((a) => a === pred)));
}
