import { z } from "../zod.js";
import { PyPatternSchema, pySub } from "../python/re.js";
import { PY_PUNCTUATION } from "../python/str.js";
import type { MetricFactory, MetricFn } from "./types.js";

/**
 * `exact_match`, as lm-evaluation-harness's `exact_match_hf_evaluate` scores one pair:
 * 1. each of `regexes_to_ignore` (Python regexes) is removed from prediction and reference with
 *    `re.sub(pattern, "", text)`, in order;
 * 2. `ignore_case` lowercases both;
 * 3. `ignore_punctuation` deletes the characters of Python's `string.punctuation` (ASCII only);
 * 4. `ignore_numbers` deletes the digits 0-9;
 * then 1 if the two strings are equal, else 0.
 *
 * lm-eval holds each string in a one-element numpy array (dtype `<U{length}`), which drops trailing
 * NUL characters and cuts a lowercased string back to its length ("İ".lower() is two code points);
 * both quirks are reproduced so that every pair scores as it does there.
 */
/**
 * A flag as HF evaluate's exact_match tests it (`if ignore_case:`): Python truthiness, so a string is
 * true when not empty. lm-eval's afriqa YAMLs set `ignore_punctuation: true` followed by an indented
 * list, which YAML reads as one multi-line string (`'true - "." - ","'`): a true flag there too.
 */
const PyFlag = z
  .union([z.boolean(), z.string(), z.number(), z.null()], { error: "expected true or false" })
  .transform((v) => (typeof v === "string" ? v.length > 0 : Boolean(v)))
  .default(false);

const Options = z.strictObject({
  regexes_to_ignore: z.array(PyPatternSchema).nullish(),
  ignore_case: PyFlag,
  ignore_punctuation: PyFlag,
  ignore_numbers: PyFlag,
});

const PUNCTUATION = new Set(PY_PUNCTUATION);

/** A str as a numpy unicode array element: trailing NULs are not kept. */
const numpyStr = (s: string): string => s.replace(/\0+$/, "");

function normalizer(o: z.output<typeof Options>): (s: string) => string {
  const regexes = o.regexes_to_ignore ?? [];
  return (s) => {
    let x = numpyStr(s);
    for (const re of regexes) x = numpyStr(pySub(re, x, ""));
    if (o.ignore_case) x = [...x.toLowerCase()].slice(0, [...x].length).join("");
    if (o.ignore_punctuation) x = [...x].filter((c) => !PUNCTUATION.has(c)).join("");
    if (o.ignore_numbers) x = x.replace(/[0-9]/g, "");
    return x;
  };
}

export const exactMatch = {
  aggregation: "mean",
  higherIsBetter: true,
  // multiple_choice: 1 when the gold choice is the greedy continuation (scored by the pipeline).
  outputTypes: ["generate_until", "multiple_choice"],
  create(options: Readonly<Record<string, unknown>>): MetricFn {
    const normalize = normalizer(Options.parse(options));
    return (prediction, reference) => (normalize(prediction) === normalize(reference) ? 1 : 0);
  },
} as const satisfies MetricFactory;
