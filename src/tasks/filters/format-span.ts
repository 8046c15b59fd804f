import { z } from "../../zod.js";
import { pyCompile, pyFindall, pySub } from "../../python/re.js";
import { pyRstrip, pyStrip } from "../../python/str.js";
import type { FilterFactory, FilterStep } from "./types.js";

/**
 * `format_span` (lm-eval's SPANFilter, filters/transformation.py; afrobench's masakhaner): a
 * named-entity answer rewritten as `label: entity $ label: entity`. The response is lowercased, its
 * label words (`person:`, `location:`, `org:` …) become PER/LOC/ORG/DATE, `$$` separators become `$`;
 * then each `LABEL: a, b` group gives `label: a`, `label: b` (entities named `none` left out).
 * Python's regexes and `str` methods throughout, so the output is lm-eval's character for character.
 */
const LABELS: readonly (readonly [string, string])[] = [
  ["person", "PER"], ["location", "LOC"], ["organization", "ORG"], ["counties", "LOC"], ["places", "LOC"],
  ["people", "PER"], ["persons", "PER"], ["company", "ORG"], ["country", "LOC"], ["continent", "LOC"],
  ["time", "DATE"], ["date", "DATE"], ["per", "PER"], ["loc", "LOC"], ["org", "ORG"],
];
// Keys are plain lowercase words: re.escape leaves them as they are.
const LABEL_RES = LABELS.map(([key, value]) => [pyCompile(`\\b${key}\\s*:`), `${value}:`] as const);
const ENTITY_RE = pyCompile("\\b(PER|LOC|ORG|DATE):\\s*([^$]+)");

function formatNerText(response: string): string {
  let text = response.toLowerCase();
  for (const [re, repl] of LABEL_RES) text = pySub(re, text, repl);
  return pyRstrip(text.split("$$").join("$"), "$");
}

function formatNamedEntities(text: string): string {
  const out: string[] = [];
  for (const m of pyFindall(ENTITY_RE, pyStrip(text.replaceAll("\n", "$")))) {
    const [label, values] = m as string[];
    for (const entity of values!.split(",").map((v) => pyStrip(v))) {
      if (entity.toLowerCase() !== "none") out.push(`${label!.toLowerCase()}: ${entity}`);
    }
  }
  return out.join(" $ ");
}

export const formatSpan = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.map((r) => formatNamedEntities(formatNerText(r.toLowerCase())));
  },
} satisfies FilterFactory;
