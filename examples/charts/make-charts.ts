/**
 * Bar charts with known answers, for the multimodal example (examples/charts.jsonl) and the tests:
 * each chart is a PNG drawn pixel by pixel with pngjs (bars in distinct colours, each bar's value
 * printed above it in a 5×7 digit font), and each sample asks one question about it whose answer is
 * known from the values drawn. Seeded: the same seed gives the same charts, byte for byte.
 *
 *   npx tsx examples/charts/make-charts.ts      # rewrites examples/charts.jsonl and examples/charts/*.png
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { mulberry32 } from "../../src/stats/mulberry32.js";

/** One chart sample: the question asked of it, its answer, and the chart's values. */
export interface ChartSample {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  readonly values: readonly number[];
  /** ChartQA's split label (`human_test` / `augmented_test`). */
  readonly type: string;
}

const DIGITS: Readonly<Record<string, readonly string[]>> = {
  "0": ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
  "1": ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
  "2": ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
  "3": ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
  "4": ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
  "5": ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
  "6": ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
  "7": ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
  "8": ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
  "9": ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
};

const COLOURS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75],
];

/** A PNG of a bar chart of `values` (each 1–99), `width` × `height` pixels, white background. */
export function renderBarChart(values: readonly number[], width = 320, height = 240): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(255);
  const set = (x: number, y: number, [r, g, b]: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  const base = height - 20;
  const slot = Math.floor((width - 20) / values.length);
  for (let x = 10; x < width - 10; x++) set(x, base, [0, 0, 0]);
  values.forEach((v, k) => {
    const top = base - Math.round((v / 100) * (base - 40));
    const left = 10 + k * slot + Math.floor(slot / 5);
    const right = 10 + (k + 1) * slot - Math.floor(slot / 5);
    for (let y = top; y < base; y++) for (let x = left; x < right; x++) set(x, y, COLOURS[k % COLOURS.length]!);
    // The value above its bar, digits 2 px per font pixel.
    const text = String(v);
    const textLeft = Math.floor((left + right) / 2) - text.length * 6;
    [...text].forEach((ch, c) =>
      DIGITS[ch]!.forEach((row, ry) =>
        [...row].forEach((bit, rx) => {
          if (bit !== "1") return;
          for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) set(textLeft + c * 12 + rx * 2 + dx, top - 18 + ry * 2 + dy, [0, 0, 0]);
        }),
      ),
    );
  });
  return PNG.sync.write(png);
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"];

/** `count` chart samples: 3–6 bars valued 1–99 each, and one question with its answer. */
export function chartSamples(count: number, seed = 1): ChartSample[] {
  const rnd = mulberry32(seed);
  const out: ChartSample[] = [];
  for (let i = 0; i < count; i++) {
    const n = 3 + Math.floor(rnd() * 4);
    const values = Array.from({ length: n }, () => 1 + Math.floor(rnd() * 99));
    const kind = i % 3;
    const k = Math.floor(rnd() * n);
    const [question, answer] =
      kind === 0
        ? ["How many bars are in the chart?", String(n)]
        : kind === 1
          ? ["What is the largest value shown in the chart?", String(Math.max(...values))]
          : [`What is the value of the ${ORDINALS[k]} bar from the left?`, String(values[k])];
    out.push({ id: `chart-${String(i).padStart(4, "0")}`, question, answer, values, type: i % 2 === 0 ? "human_test" : "augmented_test" });
  }
  return out;
}

/** The sha256 of a chart's PNG (what an answer key's `image_sha256` names). */
export function pngDigest(png: Buffer): string {
  return createHash("sha256").update(png).digest("hex");
}

/**
 * Writes `count` charts as `<dir>/<id>.png` and their samples as JSONL lines to `jsonl`, each line
 * naming its image relative to the JSONL file's folder. Returns the samples with their image digests.
 * `size` is the charts' width and height in pixels (default 320 × 240; tests use small ones).
 */
export function writeChartSet(jsonl: string, imageDir: string, count: number, seed = 1, size: { width: number; height: number } = { width: 320, height: 240 }): (ChartSample & { image: string; image_sha256: string })[] {
  mkdirSync(imageDir, { recursive: true });
  const rel = imageDir.startsWith(dirname(jsonl)) ? imageDir.slice(dirname(jsonl).length + 1) : imageDir;
  const rows = chartSamples(count, seed).map((s) => {
    const png = renderBarChart(s.values, size.width, size.height);
    writeFileSync(join(imageDir, `${s.id}.png`), png);
    return { ...s, image: rel ? `${rel}/${s.id}.png` : `${s.id}.png`, image_sha256: pngDigest(png) };
  });
  writeFileSync(jsonl, rows.map(({ values: _v, image_sha256: _h, ...line }) => JSON.stringify(line)).join("\n") + "\n");
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const here = dirname(fileURLToPath(import.meta.url));
  writeChartSet(join(here, "..", "charts.jsonl"), here, 24, 2026);
}
