import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageSize } from "image-size";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageTokens } from "../../src/media/image-tokens.js";
import { root, runCli } from "../support/cli.js";

const TASK = `task: chart_questions
doc_to_image: image
doc_to_text: "{{ question }}"
doc_to_target: answer
generation_kwargs: {max_gen_toks: 8, until: ["\\n"]}
metric_list:
  - metric: exact_match
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-estimate-rule-"));
  await writeFile(join(dir, "task.yaml"), TASK);
  // Same prices; one model bills images by OpenAI's tiles (no rule given), one at a flat 1,000 tokens.
  await writeFile(join(dir, "models.yaml"), "models:\n  tiles:\n    price: {input: 1, output: 1}\n  flat:\n    price: {input: 1, output: 1}\n    image_tokens: {per_image: 1000}\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("estimate counts images by each model's image_tokens rule (models YAML)", { timeout: 60_000 }, () => {
  it("the two models' prompt tokens differ by exactly the rules' difference per image", async () => {
    const summary = join(dir, "estimate.json");
    const r = await runCli(["estimate", join(root, "examples", "charts.jsonl"), "-t", join(dir, "task.yaml"), "-m", "tiles", "-m", "flat", "--models", join(dir, "models.yaml"), "--limit", "5", "--summary", summary]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const models = (JSON.parse(await readFile(summary, "utf8")) as { models: { model: string; prompt_tokens: number; requests: number }[] }).models;
    const by = new Map(models.map((m) => [m.model, m]));
    expect(by.get("tiles")!.requests).toBe(5);
    const lines = (await readFile(join(root, "examples", "charts.jsonl"), "utf8")).trim().split("\n").slice(0, 5);
    const tileTokens = lines.map((l) => {
      const { width, height } = imageSize(new Uint8Array(readFileSync(join(root, "examples", (JSON.parse(l) as { image: string }).image))));
      return imageTokens(width, height, undefined);
    });
    expect(tileTokens.every((t) => t > 0 && t < 1000)).toBe(true);
    expect(by.get("flat")!.prompt_tokens - by.get("tiles")!.prompt_tokens).toBe(tileTokens.reduce((s, t) => s + (1000 - t), 0));
  });
});
