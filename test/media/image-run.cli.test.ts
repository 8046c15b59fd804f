import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { writeChartSet } from "../../examples/charts/make-charts.js";
import { runCli } from "../support/cli.js";

const TASK = `task: chart_images
doc_to_image: image
doc_to_text: "{{ question }}"
doc_to_target: answer
generation_kwargs:
  max_gen_toks: 8
  until: ["\\n"]
metric_list:
  - metric: exact_match
`;

let sim: SimServer;
let dir: string;
let rows: ReturnType<typeof writeChartSet>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-images-"));
  rows = writeChartSet(join(dir, "data", "charts.jsonl"), join(dir, "data", "img"), 30, 7);
  // The key knows each answer by its image's digest only: a question repeats across charts, so a right
  // answer means the right image reached the model.
  await writeFile(join(dir, "key.jsonl"), rows.map((r) => JSON.stringify({ image_sha256: r.image_sha256, target: r.answer })).join("\n"));
  await writeFile(join(dir, "task.yaml"), TASK);
  sim = await startSim({ port: 0, answerKeyFile: join(dir, "key.jsonl"), accuracy: 1, replyFormat: "answer" });
});
afterAll(async () => {
  await sim.close();
});

describe("a run with images (doc_to_image, content parts, the simulator's digest key)", { timeout: 60_000 }, () => {
  it("sends each sample's own image and scores the key's truth; result lines hold references, not bytes", async () => {
    // Run from another folder: image paths resolve from the input file's folder.
    const r = await runCli(["run", join(dir, "data", "charts.jsonl"), "-t", join(dir, "task.yaml"), "-m", "vlm", "--base-url", sim.url, "-c", "4", "--store", join(dir, "store")], { cwd: dir });
    expect(r.stderr).not.toContain("rejected");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
    expect(lines).toHaveLength(30);
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const line of lines) {
      const row = byId.get(line.id)!;
      expect(line.response).toBe(row.answer);
      expect(line.scores).toEqual({ "exact_match,none": 1 });
      expect(line.media).toEqual([{ type: "image", source: join(dir, "data", "img", `${row.id}.png`), media_type: "image/png", sha256: row.image_sha256, bytes: expect.any(Number), width: 320, height: 240 }]);
      // The image's tokens are part of the prompt the server billed (85 + 170 × 1 tile at 320×240).
      expect(line.usage!.prompt_tokens).toBeGreaterThan(255);
    }
    expect(r.stdout).not.toContain("base64");
  });

  it("rejects a line whose image cannot be read, naming the key, and goes on", async () => {
    const input = join(dir, "data", "missing.jsonl");
    await writeFile(input, `${JSON.stringify({ id: "gone", question: "q?", answer: "1", image: "img/none.png" })}\n${await readFile(join(dir, "data", "charts.jsonl"), "utf8").then((t) => t.split("\n")[0])}\n`);
    const r = await runCli(["run", input, "-t", join(dir, "task.yaml"), "-m", "vlm", "--base-url", sim.url, "--no-store", "--rejects", join(dir, "rejects.jsonl")]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const reject = JSON.parse((await readFile(join(dir, "rejects.jsonl"), "utf8")).trim()) as { reason: string };
    expect(reject.reason).toMatch(/doc_to_image: cannot read .*none\.png \(ENOENT\)/);
  });
});
