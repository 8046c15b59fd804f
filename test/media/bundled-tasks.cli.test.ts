import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBarChart, pngDigest } from "../../examples/charts/make-charts.js";
import { startSim, type SimRequest, type SimServer } from "../../src/sim/index.js";
import type { MediaRef, ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";

/**
 * The bundled docvqa_val and mmmu_val through the real CLI: images from the lines' fields (MMMU's
 * image_1 … image_7, absent or null ones skipped) go where the `<image N>` placeholders are, and the
 * simulator's answers (keyed by the first image's digest) score as the tasks say.
 */
let sim: SimServer;
let dir: string;
const contents: unknown[][] = [];

const png = [renderBarChart([10, 20, 30], 64, 48), renderBarChart([40, 50], 64, 48), renderBarChart([7, 8, 9, 10], 64, 48), renderBarChart([29, 30], 64, 48)];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-bundled-mm-"));
  await Promise.all(png.map((p, i) => writeFile(join(dir, `c${i}.png`), p)));
  const mmmu = [
    { id: "validation_Art_1", question: "Which colour is the first bar in <image 1>?", options: "['red', 'blue', 'green', 'orange']", question_type: "multiple-choice", answer: "B", image_1: "c0.png" },
    { id: "validation_Math_2", question: "Compare <image 1> and <image 2>. How many bars in total?", options: "[]", question_type: "open", answer: "5", image_1: "c1.png", image_2: "c2.png", image_3: null },
  ];
  await writeFile(join(dir, "mmmu.jsonl"), mmmu.map((l) => JSON.stringify(l)).join("\n"));
  await writeFile(join(dir, "docvqa.jsonl"), JSON.stringify({ questionId: 7, question: "What is the last value?", answers: ["30", "thirty"], image: { bytes: png[3]!.toString("base64") } }));
  // A request's first image picks the answer.
  const key = [
    { image_sha256: pngDigest(png[3]!), target: "Thirty." },
    { image_sha256: pngDigest(png[1]!), target: "So the total is 5 bars" },
    { image_sha256: pngDigest(png[0]!), target: "B" },
  ];
  await writeFile(join(dir, "key.jsonl"), key.map((l) => JSON.stringify(l)).join("\n"));
  const record = (req: SimRequest): undefined => {
    const messages = (req.body as { messages?: { content?: unknown }[] }).messages ?? [];
    contents.push(messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [m.content])));
    return undefined;
  };
  sim = await startSim({ port: 0, answerKeyFile: join(dir, "key.jsonl"), accuracy: 1, replyFormat: "answer", faults: record });
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const run = async (input: string, task: string) => {
  const r = await runCli(["run", join(dir, input), "-t", task, "-m", "vlm", "--base-url", sim.url, "--no-store", "-c", "1"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
};

describe("bundled docvqa_val and mmmu_val with images (real CLI, simulator)", { timeout: 60_000 }, () => {
  it("mmmu_val: images in place of their placeholders, a letter and an open answer parsed and scored", async () => {
    const lines = await run("mmmu.jsonl", "mmmu_val");
    expect(lines.map((l) => [l.id, l.values])).toEqual([
      ["validation_Art_1", { "mmmu_acc,none": { subdomain: "Art", parsed_pred: "B", correct: 1 } }],
      ["validation_Math_2", { "mmmu_acc,none": { subdomain: "Math", parsed_pred: expect.arrayContaining([5, "5 bars"]), correct: 1 } }],
    ]);
    expect((lines[1]!.media as MediaRef[]).map((m) => m.sha256)).toEqual([pngDigest(png[1]!), pngDigest(png[2]!)]);
    const open = contents.find((c) => c.some((p) => (p as { text?: string }).text?.startsWith("Compare")))!;
    expect(open.map((p) => (p as { type: string }).type)).toEqual(["text", "image_url", "text", "image_url", "text"]);
    expect((open[0] as { text: string }).text).toBe("Compare ");
  });

  it("docvqa_val: ANLS against the list of answers, the dataset's questionId as the id", async () => {
    const [line] = await run("docvqa.jsonl", "docvqa_val");
    // "Thirty." against "thirty": distance 1 over the longer length 7.
    expect(line).toMatchObject({ id: "7", response: "Thirty.", targets: ["30", "thirty"] });
    expect(line!.scores!["anls,none"]).toBeCloseTo(1 - 1 / 7, 12);
  });
});
