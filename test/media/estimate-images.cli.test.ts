import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/**
 * `estimate` counts image tokens: the same samples estimated with and without their images differ by
 * exactly OpenAI's tile rule for each image's size (written out here, not taken from src/media).
 */
const SIZES: readonly (readonly [number, number])[] = [
  [64, 48],
  [320, 240],
  [512, 512],
  [513, 513],
  [1024, 768],
  [2500, 600],
  [800, 3000],
  [4096, 4096],
];

/** OpenAI: fit in 2048 × 2048, then the short side down to 768 at most; 85 + 170 per 512-px tile (low detail: 85). */
function openAiTokens(width: number, height: number, detail: "high" | "low"): number {
  if (detail === "low") return 85;
  let [w, h] = [width, height];
  const fit = Math.min(1, 2048 / Math.max(w, h));
  [w, h] = [w * fit, h * fit];
  const short = Math.min(1, 768 / Math.min(w, h));
  [w, h] = [w * short, h * short];
  return 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512);
}

const TASK = (visual: string) => `task: charts_${visual ? "with" : "without"}_images
${visual}
doc_to_text: "{{ question }}"
doc_to_target: answer
generation_kwargs: {max_gen_toks: 8}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-estimate-images-"));
  await mkdir(join(dir, "img"));
  const lines = await Promise.all(
    SIZES.map(async ([width, height], i) => {
      const png = new PNG({ width, height });
      png.data.fill(200);
      await writeFile(join(dir, "img", `${i}.png`), PNG.sync.write(png));
      return JSON.stringify({ id: `s${i}`, question: `What is in picture ${i}?`, answer: "x", image: `img/${i}.png` });
    }),
  );
  await writeFile(join(dir, "data.jsonl"), `${lines.join("\n")}\n`);
  await writeFile(join(dir, "text.yaml"), TASK(""));
  await writeFile(join(dir, "images.yaml"), TASK("doc_to_visual: image"));
  await writeFile(join(dir, "images-low.yaml"), TASK("doc_to_visual: image\nimage_detail: low"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function promptTokens(task: string): Promise<number> {
  const r = await runCli(["estimate", join(dir, "data.jsonl"), "-t", join(dir, task), "-m", "gpt-4o"]);
  expect(r.code, r.stderr).toBe(0);
  const m = /^gpt-4o\s+(\d+)\s+(\d+)/m.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  expect(Number(m![1])).toBe(SIZES.length);
  return Number(m![2]);
}

describe("estimate on image samples (real CLI)", { timeout: 60_000 }, () => {
  it("adds each image's tokens by OpenAI's tile rule, at auto (billed as high) and low detail", async () => {
    const [text, high, low] = await Promise.all([promptTokens("text.yaml"), promptTokens("images.yaml"), promptTokens("images-low.yaml")]);
    const want = SIZES.reduce((sum, [w, h]) => sum + openAiTokens(w, h, "high"), 0);
    expect(want).toBe(255 + 255 + 255 + 765 + 765 + 765 + 1445 + 765);
    expect(high - text).toBe(want);
    expect(low - text).toBe(85 * SIZES.length);
  });
});
