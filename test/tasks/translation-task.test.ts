import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SummaryBuilder } from "../../src/summary/summary-builder.js";
import { loadTask } from "../../src/tasks/load.js";
import { scoreResponse } from "../../src/tasks/score.js";
import type { ResultLine } from "../../src/types.js";

/**
 * lm-eval's wmt16_de-en.yaml, unchanged (bleu, ter, chrf): each result line records the pair lm-eval
 * records, and the summary folds the lines into sacrebleu's corpus scores, equal to lm-eval's own
 * (expected.json, corpus `wmt16_de_en`, made by make_expected.py from lm-eval's metrics.py).
 */
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "lm-eval-translation");
const expected = JSON.parse(readFileSync(path.join(DIR, "expected.json"), "utf8")) as {
  corpora: Record<string, { pairs: [string, string][] } & Record<string, { score: number; stderr: number | null }>>;
};

describe("a translation task (wmt16_de-en.yaml) scores as lm-eval does", () => {
  it("loads with its include, and lines carry [reference, prediction] under values", async () => {
    const task = await loadTask("wmt16_de-en.yaml", { cwd: DIR });
    expect(task.metrics.map((m) => [m.name, m.aggregation, m.passthrough])).toEqual([["bleu", "bleu", true], ["ter", "ter", true], ["chrf", "chrf", true]]);
    const doc = { translation: { de: "Der Hund.", en: "The dog." } };
    expect(task.prompt(doc)).toBe("German phrase: Der Hund.\nEnglish phrase:");
    const scored = scoreResponse(task, " The dog", task.target(doc), doc);
    expect(scored.scores).toEqual({});
    expect(scored.values).toEqual({ "bleu,none": [" The dog.", " The dog"], "ter,none": [" The dog.", " The dog"], "chrf,none": [" The dog.", " The dog"] });
  });

  it("the summary's bleu, ter and chrf equal lm-eval's corpus scores and bootstrap stderrs", async () => {
    const task = await loadTask("wmt16_de-en.yaml", { cwd: DIR });
    const corpus = expected.corpora.wmt16_de_en!;
    const summary = new SummaryBuilder({ run: "r", tasks: [{ name: task.name, aggregations: new Map(task.metrics.map((m) => [m.name, m.aggregation])) }], models: ["m"] });
    corpus.pairs.forEach(([ref, pred], i) => {
      const doc = { translation: { de: `de ${i}`, en: ref.slice(1) } };
      const { filtered, scores, values } = scoreResponse(task, pred, task.target(doc), doc);
      // Through JSON, as a line read back from the store or a results file.
      const line: ResultLine = JSON.parse(JSON.stringify({ id: String(i), task: task.name, model: "m", repeat: 0, status: "ok", input: task.prompt(doc), response: pred, filtered, target: task.target(doc), scores, values }));
      summary.addResult(line);
    });
    const metrics = summary.build(null, 1).tasks[task.name]!.models.m!.metrics;
    for (const m of ["bleu", "ter", "chrf"]) {
      const r = metrics[`${m},none`]!;
      expect(r.n).toBe(corpus.pairs.length);
      expect(Math.abs(r.value - corpus[m]!.score)).toBeLessThanOrEqual(1e-9 * corpus[m]!.score);
      expect(Math.abs(r.stderr! - corpus[m]!.stderr!)).toBeLessThanOrEqual(1e-9 * corpus[m]!.stderr!);
    }
  });
});
