/**
 * Bounded memory with images (issue 15): N samples, each with its own ~1 MB image that does not compress
 * (random-noise pixels, PNG stored without compression), against a text run of the same N samples at the
 * same concurrency, both through the CLI (dist/) against `streameval sim` in its own process. Prints the
 * peak RSS of each and their ratio against the target (≤ 1.2×): media is read when a request's body is
 * built and freed once it is sent, so memory must not grow with the images.
 *
 * The images are made once per size into a temporary folder (one file per sample: the same noise
 * picture with the sample's id in its own PNG chunk, so every file has its own digest), and removed at
 * the end unless BENCH_MEDIA_KEEP=1 (then reused by the next run).
 *
 * Options: BENCH_MEDIA_N (default 10000), BENCH_MEDIA_KB (default 1024), BENCH_MEDIA_C (default 8).
 *   npm run build && BENCH_ONLY=media npx tsx bench/run.ts
 */
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { cli, type Measured, measured, printTable, startSimProcess } from "./lib.js";

const n = Number(process.env.BENCH_MEDIA_N ?? 10_000);
const kb = Number(process.env.BENCH_MEDIA_KB ?? 1024);
const c = Number(process.env.BENCH_MEDIA_C ?? 8);
const keep = process.env.BENCH_MEDIA_KEEP === "1";
const node = process.execPath;

const TASK = (withImage: boolean) => `task: media_memory
${withImage ? "doc_to_image: image\n" : ""}doc_to_text: "{{ question }}"
doc_to_target: answer
generation_kwargs: {max_gen_toks: 8, until: ["\\n"]}
metric_list:
  - metric: exact_match
`;

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG of random RGB noise about `bytes` large (stored, not compressed: noise would not compress anyway), without its IEND. */
function noisePng(bytes: number): Buffer {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const raw = Buffer.alloc(side * (side * 3 + 1));
  for (let y = 0; y < side; y++) {
    const row = y * (side * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 1; x <= side * 3; x++) raw[row + x] = (Math.random() * 256) | 0;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 0 }))]);
}

const IEND = chunk("IEND", Buffer.alloc(0));

/** N images (one per sample, each its own digest) and the two inputs: with the images, and the same questions as text. */
async function makeSet(dir: string): Promise<{ images: string; text: string; bytes: number }> {
  const images = join(dir, "images.jsonl");
  const text = join(dir, "text.jsonl");
  const body = noisePng(kb * 1024);
  if (!existsSync(join(dir, "done"))) {
    await mkdir(join(dir, "img"), { recursive: true });
    const withImages = createWriteStream(images);
    const plain = createWriteStream(text);
    for (let i = 0; i < n; i++) {
      const id = `s${i}`;
      // The sample's id in a private ancillary chunk: a valid PNG with bytes of its own.
      await writeFile(join(dir, "img", `${id}.png`), Buffer.concat([body, chunk("seId", Buffer.from(id)), IEND]));
      const doc = { id, question: `What is drawn in picture ${i}?`, answer: "noise" };
      withImages.write(`${JSON.stringify({ ...doc, image: `img/${id}.png` })}\n`);
      plain.write(`${JSON.stringify(doc)}\n`);
    }
    await Promise.all([new Promise((r) => withImages.end(r)), new Promise((r) => plain.end(r))]);
    await writeFile(join(dir, "done"), "");
  }
  return { images, text, bytes: body.length + IEND.length };
}

const dir = keep ? join(tmpdir(), `streameval-bench-media-${n}x${kb}k`) : await mkdtemp(join(tmpdir(), "streameval-bench-media-"));
await mkdir(dir, { recursive: true });
try {
  const made = performance.now();
  const set = await makeSet(dir);
  const makeS = (performance.now() - made) / 1000;
  await writeFile(join(dir, "image-task.yaml"), TASK(true));
  await writeFile(join(dir, "text-task.yaml"), TASK(false));
  const sim = await startSimProcess(["--latency-ms", "0"]);
  try {
    const run = async (input: string, task: string, out: string): Promise<Measured> => {
      const m = await measured(node, [cli, "run", input, "-t", join(dir, task), "-m", "sim", "--base-url", sim.url, "-c", String(c), "-o", join(dir, out), "--no-progress", "--no-store"]);
      if (m.code !== 0) throw new Error(`streameval run exited ${m.code}: ${m.stderr.slice(-2000)}`);
      return m;
    };
    const text = await run(set.text, "text-task.yaml", "text-out.jsonl");
    const images = await run(set.images, "image-task.yaml", "images-out.jsonl");
    // The images did travel: every line names its own image, and the server billed it.
    const lines = (await readFile(join(dir, "images-out.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { status: string; media?: { sha256: string }[]; usage?: { prompt_tokens: number } });
    const digests = new Set(lines.map((l) => l.media?.[0]?.sha256));
    if (lines.length !== n || digests.size !== n || lines.some((l) => l.status !== "ok" || (l.usage?.prompt_tokens ?? 0) < 85)) throw new Error(`expected ${n} ok lines, each with its own image billed; got ${lines.length} lines, ${digests.size} digests`);
    const ratio = images.peak_mb / text.peak_mb;
    const mb = (x: number) => `${x.toFixed(0)} MB`;
    printTable(`Memory with images (issue 15): ${n} samples, one ${(set.bytes / 1048576).toFixed(2)} MB image each (${((n * set.bytes) / 2 ** 30).toFixed(1)} GiB in all; made in ${makeS.toFixed(0)} s), -c ${c}, sim latency 0; load ${loadavg()[0]!.toFixed(1)}`, [
      ["figure", "measured", "baseline (same run)", "ratio", "target", "met", "reproduce"],
      [`lean: CLI peak RSS with a 1 MB image per sample (wall ${images.wall_s.toFixed(0)} s)`, mb(images.peak_mb), `text only, same questions: ${mb(text.peak_mb)} (wall ${text.wall_s.toFixed(0)} s)`, ratio, "<= 1.2", ratio <= 1.2 ? "yes" : "no", `npm run build && BENCH_ONLY=media BENCH_MEDIA_N=${n} BENCH_MEDIA_C=${c} npx tsx bench/run.ts`],
    ]);
  } finally {
    await sim.stop();
  }
} finally {
  if (!keep) await rm(dir, { recursive: true, force: true });
}
