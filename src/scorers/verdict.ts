import type { JudgeScale } from "../metrics/llm-judge.js";
import { splitReasoning } from "../tasks/filters/strip-reasoning.js";

/** A judge's verdict read from its reply: the score it means and the token it was read from. */
export interface Verdict {
  readonly score: number;
  /** As written, without brackets (`8`, `PASS`, `B+`). */
  readonly label: string;
}

const BRACKETED = /\[\[\s*([^[\]\n]{1,24}?)\s*\]\]/g;
// "Rating: 8", "**Verdict:** PASS", "Grade = B+": the judge's own label for its verdict.
const LABELLED = /\b(?:rating|score|grade|verdict)\b[\s*]*[:=][\s*]*\[?\s*([A-Za-z]+[+-]?|\d+(?:\.\d+)?(?:\s*\/\s*10)?)(?!\w)/gi;

const PASS_WORDS: Readonly<Record<string, number>> = { pass: 1, yes: 1, correct: 1, fail: 0, no: 0, incorrect: 0 };
const LETTERS: Readonly<Record<string, number>> = { A: 4, B: 3, C: 2, D: 1, F: 0 };

/** The score of one token on the scale, or undefined when the token is not a verdict on it. */
export function verdictScore(token: string, scale: JudgeScale): number | undefined {
  const t = token.trim();
  if (scale === "pass_fail") return PASS_WORDS[t.toLowerCase()];
  if (scale === "letter") {
    const m = /^([A-DF])([+-])?$/i.exec(t);
    if (!m) return undefined;
    const base = LETTERS[m[1]!.toUpperCase()]!;
    // GPA points: a plus or minus moves a grade by 0.3 (A+ stays 4, F has neither).
    const shift = m[2] === "+" ? 0.3 : m[2] === "-" ? -0.3 : 0;
    return base === 0 ? 0 : Math.min(4, Math.round((base + shift) * 10) / 10);
  }
  const m = /^(\d+(?:\.\d+)?)(?:\s*\/\s*10)?$/.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= 10 ? n : undefined;
}

/**
 * Reads a judge's verdict (pure). The judge's own `<think>` reasoning is set aside first; then the
 * verdict is the LAST well-formed `[[token]]` on the scale (judges restate the format — `"[[rating]]",
 * for example "[[5]]"` — and change their minds, so the first bracket is often not the verdict;
 * `[[11]]` or `[[rating]]` are not well-formed on 1-10 and are skipped). With none, the last
 * labelled one (`Rating: 7`, `Verdict: **PASS**`). Null when there is no verdict: the caller treats
 * that as an error for the sample, never as a score of 0.
 */
export function parseVerdict(reply: string, scale: JudgeScale): Verdict | null {
  const text = splitReasoning(reply).answer;
  for (const pattern of [BRACKETED, LABELLED]) {
    let found: Verdict | null = null;
    for (const m of text.matchAll(pattern)) {
      const token = m[1]!.replace(/\s+/g, "");
      const score = verdictScore(token, scale);
      if (score !== undefined) found = { score, label: token };
    }
    if (found) return found;
  }
  return null;
}

/** How each scale asks for its verdict; the built-in templates end their instruction with it. */
export const VERDICT_INSTRUCTIONS: Readonly<Record<JudgeScale, string>> = {
  pass_fail: 'After providing your explanation, you must give your verdict by strictly following this format: "[[PASS]]" if the response meets the requirement, or "[[FAIL]]" if it does not.',
  "1-10": 'After providing your explanation, you must rate the response on a scale of 1 to 10 by strictly following this format: "[[rating]]", for example: "Rating: [[5]]".',
  letter: 'After providing your explanation, you must grade the response with a letter from A (excellent) to F (failing) by strictly following this format: "[[grade]]", for example: "Grade: [[B]]".',
};
