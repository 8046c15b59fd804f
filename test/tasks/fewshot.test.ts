import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/index.js";
import { sampleIndices } from "../../src/tasks/fewshot.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";

const POOL = [
  { q: "1+1", a: "2", topic: "add" },
  { q: "2+2", a: "4", topic: "add" },
  { q: "3*3", a: "9", topic: "mul" },
  { q: "2*5", a: "10", topic: "mul" },
  { q: "4+4", a: "8", topic: "add" },
];
const pool = `fewshot_config:\n  samples: ${JSON.stringify(POOL)}\n`;
const BASE = `task: arith\ndoc_to_text: "Q: {{q}}\\nA:"\ndoc_to_target: a\n`;

describe("few-shot examples (lm-eval's ContextSampler.get_context)", () => {
  it("puts text + target_delimiter + target + fewshot_delimiter for each example before the prompt (first_n)", () => {
    const t = parseTask(`${BASE}num_fewshot: 2\ndescription: "Arithmetic.\\n\\n"\n${pool}  sampler: first_n\n`, "t.yaml");
    expect(t.numFewshot).toBe(2);
    expect(t.prompt({ q: "5+5", a: "10" })).toBe("Arithmetic.\n\nQ: 1+1\nA: 2\n\nQ: 2+2\nA: 4\n\nQ: 5+5\nA:");
    expect("messages" in t).toBe(false);
  });

  it("leaves the document itself out when neither split is named (lm-eval's None == None), still n examples", () => {
    const t = parseTask(`${BASE}num_fewshot: 2\n${pool}  sampler: first_n\n`, "t.yaml");
    expect(t.prompt(POOL[0]!)).toBe("Q: 2+2\nA: 4\n\nQ: 3*3\nA: 9\n\nQ: 1+1\nA:");
  });

  it("keeps an example equal to the document when the few-shot split is another split, as lm-eval's sampler", () => {
    const t = parseTask(`${BASE}num_fewshot: 2\nfewshot_split: train\ntest_split: test\n${pool}  sampler: first_n\n`, "t.yaml");
    expect(t.prompt(POOL[0]!)).toBe("Q: 1+1\nA: 2\n\nQ: 2+2\nA: 4\n\nQ: 1+1\nA:");
  });

  it("draws one more when few-shot and test split are the same, so the doc's removal still leaves n", () => {
    const t = parseTask(`${BASE}num_fewshot: 2\nfewshot_split: test\ntest_split: test\n${pool}  sampler: first_n\n`, "t.yaml");
    expect(t.prompt(POOL[0]!)).toBe("Q: 2+2\nA: 4\n\nQ: 3*3\nA: 9\n\nQ: 1+1\nA:");
  });

  it("draws at random with a seed per document: the same doc always gets the same examples", () => {
    const t = parseTask(`${BASE}num_fewshot: 3\n${pool}`, "t.yaml");
    const doc = { q: "7+1", a: "8" };
    const first = t.prompt(doc);
    expect(parseTask(`${BASE}num_fewshot: 3\n${pool}`, "t.yaml").prompt(doc)).toBe(first);
    expect(first.split("\n\n")).toHaveLength(4);
    const seeds = new Set(Array.from({ length: 20 }, (_, i) => parseTask(`${BASE}num_fewshot: 3\n${pool}  seed: ${i}\n`, "t.yaml").prompt(doc)));
    expect(seeds.size).toBeGreaterThan(3);
  });

  it("draws only from pool docs whose match_field equals the document's", () => {
    const t = parseTask(`${BASE}num_fewshot: 2\n${pool}  sampler: first_n\n  match_field: topic\n`, "t.yaml");
    expect(t.prompt({ q: "6*7", a: "42", topic: "mul" })).toBe("Q: 3*3\nA: 9\n\nQ: 2*5\nA: 10\n\nQ: 6*7\nA:");
    expect(() => parseTask(`${BASE}num_fewshot: 3\n${pool}  match_field: topic\n`, "t.yaml").prompt({ q: "x", a: "y", topic: "mul" })).toThrow(
      "few-shot: 2 example(s) with topic = mul, num_fewshot is 3",
    );
  });

  it("shows a multiple_choice example's gold choice, and adds nothing after an example whose target is empty", () => {
    const mc = parseTask(`task: mc\noutput_type: multiple_choice\ndoc_to_text: "{{q}}"\ndoc_to_choice: ["yes", "no"]\ndoc_to_target: label\nnum_fewshot: 1\nfewshot_config:\n  samples: [{q: "Sky blue?", label: 0}]\n`, "t.yaml");
    expect(mc.prompt({ q: "Grass red?", label: 1 })).toBe("Sky blue? yes\n\nGrass red?");
    const empty = parseTask(`${BASE}num_fewshot: 1\nfewshot_config:\n  samples: [{q: "x", a: ""}]\n`, "t.yaml");
    expect(empty.prompt({ q: "y", a: "1" })).toBe("Q: x\nA:Q: y\nA:");
  });

  it("renders examples with fewshot_config's own doc_to_text / doc_to_target", () => {
    const t = parseTask(`${BASE}num_fewshot: 1\nfewshot_config:\n  samples: [{q: "1+1", a: "2", why: "one and one"}]\n  doc_to_target: "{{why}}, so {{a}}"\n`, "t.yaml");
    expect(t.prompt({ q: "2+2", a: "4" })).toBe("Q: 1+1\nA: one and one, so 2\n\nQ: 2+2\nA:");
  });

  it("as multiturn chat: the description as system, each example a user turn and its target the assistant's", () => {
    const t = parseTask(`${BASE}description: "Be brief."\nnum_fewshot: 2\n${pool}  sampler: first_n\n`, "t.yaml", { fewshotAsMultiturn: true });
    expect(t.messages!({ q: "5+5", a: "10" })).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Q: 1+1\nA:" },
      { role: "assistant", content: "2" },
      { role: "user", content: "Q: 2+2\nA:" },
      { role: "assistant", content: "4" },
      { role: "user", content: "Q: 5+5\nA:" },
    ]);
  });

  it.each([
    [`${BASE}num_fewshot: 2\n`, "t.yaml:4, key `num_fewshot`: task `arith`: 2 few-shot example(s) need a pool"],
    [`${BASE}num_fewshot: 9\n${pool}`, "t.yaml:4, key `num_fewshot`: num_fewshot is 9 but the few-shot pool has only 5 example(s)"],
    [`${BASE}num_fewshot: 1\n${pool}  sampler: balanced\n`, "key `fewshot_config.sampler`: expected `default` or `first_n`"],
    [`task: p\noutput_type: loglikelihood_rolling\ndoc_to_text: ""\ndoc_to_target: text\nnum_fewshot: 1\n${pool}`, "key `num_fewshot`: a loglikelihood_rolling (perplexity) task takes no few-shot examples"],
  ])("refuses %j", (text, message) => {
    expect(() => parseTask(text, "t.yaml")).toThrow(ConfigError);
    expect(() => parseTask(text, "t.yaml")).toThrow(message);
  });

  it("numFewshot overrides the task's num_fewshot; 0 turns examples off", () => {
    expect(parseTask(`${BASE}num_fewshot: 2\n${pool}`, "t.yaml", { numFewshot: 0 }).prompt({ q: "x", a: "y" })).toBe("Q: x\nA:");
    expect(parseTask(`${BASE}${pool}`, "t.yaml", { numFewshot: 1 }).numFewshot).toBe(1);
  });
});

describe("few-shot pools from files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fewshot-"));
    await writeFile(path.join(dir, "dev.jsonl"), `${POOL.map((d) => JSON.stringify(d)).join("\n")}\n`);
    await writeFile(path.join(dir, "bad.jsonl"), '{"q": "1"}\n[1, 2]\n');
    await writeFile(path.join(dir, "t.yaml"), `${BASE}fewshot_config:\n  sampler: first_n\n  file: dev.jsonl\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads fewshot_config.file beside the task file, or --fewshot-file from the working directory", async () => {
    const t = await loadTask("t.yaml", { cwd: dir, numFewshot: 1 });
    expect(t.prompt({ q: "x", a: "y" })).toBe("Q: 1+1\nA: 2\n\nQ: x\nA:");
    expect(t.origin.text).toContain("# --- overrides: num_fewshot=1");
    const other = await loadTask(path.join(dir, "t.yaml"), { cwd: tmpdir(), numFewshot: 1, fewshotFile: path.join(dir, "dev.jsonl") });
    expect(other.prompt({ q: "x", a: "y" })).toBe(t.prompt({ q: "x", a: "y" }));
    await expect(loadTask("t.yaml", { cwd: dir, numFewshot: 1, fewshotFile: "bad.jsonl" })).rejects.toThrow("bad.jsonl:2: not a JSON object");
    await expect(loadTask("t.yaml", { cwd: dir, numFewshot: 1, fewshotFile: "none.jsonl" })).rejects.toThrow("none.jsonl: cannot read the few-shot file");
  });

  it("samples distinct indices, in range, deterministically", () => {
    const a = sampleIndices(1000, 10, "s");
    expect(new Set(a).size).toBe(10);
    expect(a.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(sampleIndices(1000, 10, "s")).toEqual(a);
    expect(sampleIndices(3, 5, "s").sort()).toEqual([0, 1, 2]);
  });
});
