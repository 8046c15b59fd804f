import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageTokens } from "../../src/media/image-tokens.js";
import { type SimRequest, type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";

// Real CLI runs (a child process each) against the sim in this process, which records every body it gets.
type Part = { type: string; text?: string; image_url?: { url: string; detail?: string }; input_audio?: { data: string; format: string } };
type Body = { messages: { role: string; content: string | Part[] }[] };

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const partsOf = (body: Body): Part[] => body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
const dataOf = (url: string) => Buffer.from(url.slice(url.indexOf(",") + 1), "base64");

let dir: string;
let sim: SimServer;
const bodies: Body[] = [];

/** A 16-bit mono WAV of `n` samples of a ramp (its own bytes). */
function wav(n: number): Buffer {
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE((i * 97) % 32768, i * 2);
  const head = Buffer.alloc(44);
  head.write("RIFF", 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write("WAVEfmt ", 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(16000, 24);
  head.writeUInt32LE(32000, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write("data", 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

function png(w: number, h: number, shade: number): Buffer {
  const image = new PNG({ width: w, height: h });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([shade, 255 - shade, 128, 255], i);
  return PNG.sync.write(image);
}

const run = (args: string[], env?: NodeJS.ProcessEnv) =>
  runCli(["run", ...args, "--base-url", sim.url, "-m", "vlm", "--no-store", "--rejects", join(dir, "rejects.jsonl"), "-c", "2"], { cwd: dir, ...(env ? { env } : {}) });
const linesOf = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-media-sources-"));
  await mkdir(join(dir, "media"));
  sim = await startSim({ port: 0, faults: (r: SimRequest) => void bodies.push(r.body as Body) });
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe("video frames (--video-frames, ffmpeg)", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // A one-second 64×48 test pattern, made by ffmpeg itself.
    execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-t", "1", "-pix_fmt", "yuv420p", "-y", join(dir, "media", "clip.mp4")]);
    await writeFile(join(dir, "clips.yaml"), `task: clips\ndoc_to_visual: clip\ndoc_to_text: "{{ question }}"\ndoc_to_target: answer\ngeneration_kwargs: {max_gen_toks: 8}\n`);
    await writeFile(join(dir, "clips.jsonl"), `${JSON.stringify({ id: "v1", question: "What moves?", answer: "bars", clip: "media/clip.mp4" })}\n`);
  });

  it("sends N frames of a video as images, and records the video once on the line", async () => {
    bodies.length = 0;
    const r = await run(["clips.jsonl", "-t", "clips.yaml", "--video-frames", "3"]);
    expect(r.stderr).not.toContain("rejected");
    expect(r.code).toBe(0);
    const [line] = linesOf(r.stdout);
    const clip = await readFile(join(dir, "media", "clip.mp4"));
    expect(line!.media).toEqual([{ type: "video", source: join(dir, "media", "clip.mp4"), media_type: "video/mp4", sha256: sha(clip), bytes: clip.length, width: 64, height: 48 }]);
    const images = partsOf(bodies[0]!).filter((p) => p.type === "image_url");
    expect(images).toHaveLength(3);
    for (const p of images) {
      const frame = new PNG(PNG.sync.read(dataOf(p.image_url!.url)));
      expect([frame.width, frame.height]).toEqual([64, 48]);
    }
    // Frames spread over the clip: the test pattern moves, so they differ.
    expect(new Set(images.map((p) => sha(dataOf(p.image_url!.url)))).size).toBe(3);
    expect(line!.usage!.prompt_tokens).toBeGreaterThanOrEqual(3 * imageTokens(64, 48, undefined));
  });

  it("without ffmpeg on PATH, sets the line aside with a message saying what to install", async () => {
    const empty = join(dir, "no-tools");
    await mkdir(empty, { recursive: true });
    // The video line is set aside; a picture on the next line needs no ffmpeg and is evaluated.
    await writeFile(join(dir, "media", "still.png"), png(20, 10, 7));
    await writeFile(join(dir, "mixed.jsonl"), [{ id: "v1", clip: "media/clip.mp4" }, { id: "p1", clip: "media/still.png" }].map((d) => JSON.stringify({ ...d, question: "What is it?", answer: "x" })).join("\n"));
    const r = await run(["mixed.jsonl", "-t", "clips.yaml"], { PATH: empty });
    expect(r.stderr).toContain("rejected");
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).map((l) => l.id)).toEqual(["p1"]);
    const reject = JSON.parse((await readFile(join(dir, "rejects.jsonl"), "utf8")).trim().split("\n").at(-1)!) as { reason: string };
    expect(reject.reason).toMatch(/video input needs ffmpeg and ffprobe on PATH \(install ffmpeg/);
  });
});

describe("audio (input_audio parts)", { timeout: 60_000 }, () => {
  it("sends WAV and MP3 files as input_audio with their format and bytes", async () => {
    const w = wav(800);
    await writeFile(join(dir, "media", "q.wav"), w);
    execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", "-y", join(dir, "media", "q.mp3")]);
    const mp3 = await readFile(join(dir, "media", "q.mp3"));
    await writeFile(join(dir, "audio.yaml"), `task: sounds\ndoc_to_audio: sound\ndoc_to_text: "{{ question }}"\ndoc_to_target: answer\ngeneration_kwargs: {max_gen_toks: 8}\n`);
    await writeFile(join(dir, "audio.jsonl"), ["q.wav", "q.mp3"].map((f, i) => JSON.stringify({ id: `a${i}`, question: "What do you hear?", answer: "tone", sound: `media/${f}` })).join("\n"));
    bodies.length = 0;
    const r = await run(["audio.jsonl", "-t", "audio.yaml"]);
    expect(r.stderr).not.toContain("rejected");
    expect(r.code).toBe(0);
    const sent = bodies.map((b) => partsOf(b).find((p) => p.type === "input_audio")!.input_audio!);
    expect(sent.map((a) => [a.format, sha(Buffer.from(a.data, "base64"))]).sort()).toEqual(
      [
        ["mp3", sha(mp3)],
        ["wav", sha(w)],
      ].sort(),
    );
    const lines = linesOf(r.stdout).sort((a, b) => a.id.localeCompare(b.id));
    expect(lines.map((l) => l.media)).toEqual([
      [{ type: "audio", source: join(dir, "media", "q.wav"), media_type: "audio/wav", sha256: sha(w), bytes: w.length }],
      [{ type: "audio", source: join(dir, "media", "q.mp3"), media_type: "audio/mpeg", sha256: sha(mp3), bytes: mp3.length }],
    ]);
  });
});

describe("image URLs: sent as they are, or fetched with --inline-media", { timeout: 60_000 }, () => {
  let server: Server;
  let base: string;
  const image = png(40, 30, 90);
  const gets: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      gets.push(req.url ?? "");
      if (req.url === "/chart.png") res.writeHead(200, { "content-type": "image/png" }).end(image);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await writeFile(join(dir, "urls.yaml"), `task: urls\ndoc_to_image: image\ndoc_to_text: "{{ question }}"\ndoc_to_target: answer\nimage_detail: low\ngeneration_kwargs: {max_gen_toks: 8}\n`);
    await writeFile(join(dir, "urls.jsonl"), `${JSON.stringify({ id: "u1", question: "What is this?", answer: "chart", image: `${base}/chart.png` })}\n`);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends the URL itself by default (nothing is fetched)", async () => {
    bodies.length = 0;
    gets.length = 0;
    const r = await run(["urls.jsonl", "-t", "urls.yaml"]);
    expect(r.code).toBe(0);
    expect(partsOf(bodies[0]!).find((p) => p.type === "image_url")!.image_url).toEqual({ url: `${base}/chart.png`, detail: "low" });
    expect(gets).toEqual([]);
    expect(linesOf(r.stdout)[0]!.media).toEqual([{ type: "image", source: `${base}/chart.png`, media_type: "image/png" }]);
  });

  it("with --inline-media, fetches it when the request is sent and sends its bytes inline", async () => {
    bodies.length = 0;
    gets.length = 0;
    const r = await run(["urls.jsonl", "-t", "urls.yaml", "--inline-media"]);
    expect(r.code).toBe(0);
    const part = partsOf(bodies[0]!).find((p) => p.type === "image_url")!.image_url!;
    expect(part.url.startsWith("data:image/png;base64,")).toBe(true);
    expect(sha(dataOf(part.url))).toBe(sha(image));
    expect(part.detail).toBe("low");
    expect(gets).toEqual(["/chart.png"]);
  });

  it("with --inline-media, a URL that fails makes the sample an error naming it", async () => {
    await writeFile(join(dir, "gone.jsonl"), `${JSON.stringify({ id: "g1", question: "What is this?", answer: "chart", image: `${base}/gone.png` })}\n`);
    const r = await run(["gone.jsonl", "-t", "urls.yaml", "--inline-media", "--max-retries", "0"]);
    const [line] = linesOf(r.stdout);
    expect(line).toMatchObject({ status: "error" });
    expect(line!.error!.message).toContain(`cannot fetch ${base}/gone.png: HTTP 404`);
  });
});

describe("lmms_eval_specific_kwargs (lmms-eval's prompt settings)", { timeout: 60_000 }, () => {
  it("uses the default block, or the --model-family block when the task has one", async () => {
    await writeFile(
      join(dir, "kwargs.yaml"),
      `task: kw
doc_to_text: "{{ lmms_eval_specific_kwargs.pre_prompt }}{{ question }}{{ lmms_eval_specific_kwargs.post_prompt }}"
doc_to_target: answer
generation_kwargs: {max_gen_toks: 8}
lmms_eval_specific_kwargs:
  default: {pre_prompt: "", post_prompt: "\\nAnswer the question with a single word."}
  qwen_vl: {pre_prompt: "Question: ", post_prompt: " Answer:"}
`,
    );
    await writeFile(join(dir, "kwargs.jsonl"), `${JSON.stringify({ id: "k1", question: "What colour is the sky?", answer: "blue" })}\n`);
    const prompts: string[] = [];
    for (const family of [[], ["--model-family", "qwen_vl"], ["--model-family", "llava"]]) {
      const r = await run(["kwargs.jsonl", "-t", "kwargs.yaml", ...family]);
      expect(r.code).toBe(0);
      prompts.push(linesOf(r.stdout)[0]!.input);
    }
    // A family the task has no block for takes `default`, as lmms-eval does.
    expect(prompts).toEqual(["What colour is the sky?\nAnswer the question with a single word.", "Question: What colour is the sky? Answer:", "What colour is the sky?\nAnswer the question with a single word."]);
  });
});
