import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimRequest, type SimServer, startSim } from "../../src/sim/index.js";
import type { MediaRef, ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";

// Media hooks that return numpy arrays (as lmms-eval's and Hugging Face's decoded images and audio are):
// the Python worker encodes an image array as PNG and an audio array as WAV, and the bytes the model
// receives decode back to the very pixels and samples the hook made. Needs numpy in the hooks' Python.
type Part = { type: string; image_url?: { url: string }; input_audio?: { data: string; format: string } };
type Body = { messages: { content: string | Part[] }[] };

const hasNumpy = (() => {
  try {
    execFileSync("python3", ["-c", "import numpy"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const UTILS = `import numpy as np

def picture(doc):
    # An RGB gradient (uint8) and a grey ramp (floats in [0, 1]), from the doc's own numbers.
    h, w = doc["h"], doc["w"]
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([(x * 7 + doc["shade"]) % 256, (y * 11) % 256, np.full((h, w), doc["shade"])], axis=-1).astype(np.uint8)
    grey = (x / (w - 1)).astype(np.float64)
    return [rgb, grey]

def sound(doc):
    return np.sin(np.arange(doc["n"]) / 8.0) * 0.5
`;

let dir: string;
let sim: SimServer;
const bodies: Body[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-hook-arrays-"));
  await writeFile(join(dir, "utils.py"), UTILS);
  await writeFile(
    join(dir, "arrays.yaml"),
    "task: arrays\ndoc_to_image: !function utils.picture\ndoc_to_audio: !function utils.sound\ndoc_to_text: \"{{ question }}\"\ndoc_to_target: answer\ngeneration_kwargs: {max_gen_toks: 8}\n",
  );
  await writeFile(join(dir, "arrays.jsonl"), `${JSON.stringify({ id: "a1", question: "What do you see and hear?", answer: "x", h: 6, w: 9, shade: 40, n: 400 })}\n`);
  sim = await startSim({ port: 0, faults: (r: SimRequest) => void bodies.push(r.body as Body) });
});
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasNumpy)("numpy arrays from media hooks", { timeout: 60_000 }, () => {
  it("sends an image array as a PNG of the same pixels and an audio array as a 16 kHz WAV of the same samples", async () => {
    const r = await runCli(["run", "arrays.jsonl", "-t", "arrays.yaml", "-m", "vlm", "--base-url", sim.url, "--no-store"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as ResultLine & { media?: MediaRef[] };
    expect(line.media?.map((m) => [m.type, m.media_type])).toEqual([["image", "image/png"], ["image", "image/png"], ["audio", "audio/wav"]]);
    const parts = bodies.flatMap((b) => b.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])));
    const images = parts.filter((p) => p.type === "image_url").map((p) => PNG.sync.read(Buffer.from(p.image_url!.url.split(",")[1]!, "base64")));
    expect(images.map((i) => [i.width, i.height])).toEqual([[9, 6], [9, 6]]);
    const rgb = images[0]!;
    const grey = images[1]!;
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 9; x++) {
        const at = (y * 9 + x) * 4;
        expect([...rgb.data.subarray(at, at + 4)]).toEqual([(x * 7 + 40) % 256, (y * 11) % 256, 40, 255]);
        const g = Math.round((x / 8) * 255);
        expect([...grey.data.subarray(at, at + 3)]).toEqual([g, g, g]);
      }
    }
    const audio = parts.find((p) => p.type === "input_audio")!.input_audio!;
    expect(audio.format).toBe("wav");
    const wav = Buffer.from(audio.data, "base64");
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt32LE(40)).toBe(400 * 2);
    for (const i of [0, 1, 100, 399]) expect(wav.readInt16LE(44 + i * 2)).toBe(Math.round(Math.sin(i / 8) * 0.5 * 32767));
  });
});
