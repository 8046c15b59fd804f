import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import type { ModelTarget } from "../../src/run.js";
import { type SimOptions, type SimRequest, type SimServer, startSim } from "../../src/sim/index.js";
import { parseTask } from "../../src/tasks/load.js";
import type { Doc, Reject, ResultLine } from "../../src/types.js";

/** A request body as the sim received it: messages whose content may be a list of OpenAI content parts. */
type Body = { model: string; messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] | null }[] };

const mediaOf = (line: ResultLine) => (line.media ?? []) as { type: string; source: string; sha256?: string }[];
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A small PNG of one colour: each colour its own bytes, so its own digest. */
function png(r: number, g: number, b: number): Buffer {
  const image = new PNG({ width: 16, height: 12 });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([r, g, b, 255], i);
  return PNG.sync.write(image);
}

/** Per message of a request, the sha256 of each image it carries (decoded from its data: URI), in order. */
function imagesPerMessage(body: Body): string[][] {
  return body.messages.map((m) =>
    Array.isArray(m.content) ? m.content.flatMap((p) => (p.type === "image_url" ? [sha(Buffer.from(p.image_url!.url.split(",")[1]!, "base64"))] : [])) : [],
  );
}

async function recordingSim(options: SimOptions = {}) {
  const bodies: Body[] = [];
  const sim = await startSim({ ...options, faults: (r: SimRequest) => void bodies.push(r.body as Body) });
  return { sim, bodies };
}

const target = (sim: SimServer, model: string): ModelTarget => ({
  client: openAIChat({ model, apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) }),
  concurrency: 2,
  endpoint: sim.url,
});

async function run(task: string, docs: Doc[], model: SimServer, judge?: SimServer) {
  const lines: ResultLine[] = [];
  const rejects: Reject[] = [];
  await runEvaluation({
    input: docsToLines(docs),
    tasks: [parseTask(task, "task.yaml")],
    models: [target(model, "vlm")],
    ...(judge ? { judge: target(judge, "judge") } : {}),
    onEvent: (e) => {
      if (e.type === "result") lines.push(e.line);
      if (e.type === "reject") rejects.push(e.reject);
    },
  });
  return { lines: lines.sort((a, b) => a.id.localeCompare(b.id)), rejects };
}

let dir: string;
const files: Record<string, { path: string; sha256: string }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-conv-media-"));
  const colours: Record<string, [number, number, number]> = { a: [255, 0, 0], b: [0, 255, 0], c: [0, 0, 255], d: [255, 255, 0], e: [0, 255, 255] };
  for (const [name, rgb] of Object.entries(colours)) {
    const bytes = png(...rgb);
    const path = join(dir, `${name}.png`);
    await writeFile(path, bytes);
    files[name] = { path, sha256: sha(bytes) };
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("media in multi-turn conversations", { timeout: 30_000 }, () => {
  const TASK = `
task: chart_chat
output_type: generate_until_multi_round
turns: turns
doc_to_image: images
generation_kwargs: {until: [], max_gen_toks: 16}
`;

  it("puts each turn's images in that turn and keeps them in the history; the key's answer by the last image comes back", async () => {
    // Only the second turns' images are in the key: a request carrying one gets its answer.
    const key = `${JSON.stringify({ image_sha256: files.b!.sha256, target: "beta" })}\n${JSON.stringify({ image_sha256: files.d!.sha256, target: "delta" })}\n`;
    await writeFile(join(dir, "key.jsonl"), key);
    const keyed = await recordingSim({ answerKeyFile: join(dir, "key.jsonl"), replyFormat: "answer", accuracy: 1 });
    try {
      const docs: Doc[] = [
        // Placeholders in string turns, numbered over the sample's doc_to_image list.
        { id: "s1", images: [files.a!.path, files.b!.path], turns: ["First chart: <image 1> What colour is it?", "And this one? <image 2>"] },
        // Content parts in the turns themselves (OpenAI's image_url, Hugging Face's image part).
        {
          id: "s2",
          images: [],
          turns: [
            [{ type: "text", text: "Look at this." }, { type: "image_url", image_url: { url: files.c!.path, detail: "low" } }],
            [{ type: "image", image: files.d!.path }, { type: "text", text: "And this?" }],
          ],
        },
      ];
      const { lines, rejects } = await run(TASK, docs, keyed.sim);
      expect(rejects).toEqual([]);
      expect(lines.map((l) => [l.id, l.status, l.response])).toEqual([
        ["s1", "ok", "beta"],
        ["s2", "ok", "delta"],
      ]);
      expect(mediaOf(lines[0]!).map((m) => m.sha256)).toEqual([files.a!.sha256, files.b!.sha256]);
      expect(mediaOf(lines[1]!).map((m) => m.sha256)).toEqual([files.c!.sha256, files.d!.sha256]);
      expect(mediaOf(lines[1]!)[0]).toMatchObject({ type: "image", source: files.c!.path, media_type: "image/png" });
      // Per request: the images of each message (user, assistant, user …).
      const sent = keyed.bodies.map(imagesPerMessage).sort((x, y) => x.length - y.length || JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(sent).toEqual(
        [
          [[files.a!.sha256]],
          [[files.c!.sha256]],
          [[files.a!.sha256], [], [files.b!.sha256]],
          [[files.c!.sha256], [], [files.d!.sha256]],
        ].sort((x, y) => x.length - y.length || JSON.stringify(x).localeCompare(JSON.stringify(y))),
      );
      // The placeholder is taken out of the text; the image stands where it was.
      const first = keyed.bodies.find((b) => b.messages.length === 1 && imagesPerMessage(b)[0]![0] === files.a!.sha256)!;
      expect((first.messages[0]!.content as { type: string; text?: string }[]).map((p) => p.type)).toEqual(["text", "image_url", "text"]);
      // The result line shows the turns' text; no bytes.
      expect(lines[1]!.turns).toHaveLength(2);
      expect(JSON.stringify(lines)).not.toContain("base64");
    } finally {
      await keyed.sim.close();
    }
  });

  it("sets aside a line whose turn has a malformed content part, naming the key", async () => {
    const { sim } = await recordingSim();
    try {
      const { lines, rejects } = await run(TASK, [{ id: "bad", images: [], turns: [[{ type: "video_url", video_url: "x" }]] }], sim);
      expect(lines).toEqual([]);
      expect(rejects[0]!.reason).toMatch(/turns\[0\]\[0\]: unknown content part type "video_url"/);
    } finally {
      await sim.close();
    }
  });
});

describe("media in tool use", { timeout: 30_000 }, () => {
  const TASK = `
task: chart_tools
output_type: tool_use
doc_to_text: "{{ question }}"
doc_to_image: image
doc_to_target: target
tools: {from: tools}
agent: {canned_outputs: outputs}
generation_kwargs: {until: []}
metric_list:
  - {metric: exact_match}
`;
  const tools = [{ type: "function", function: { name: "lookup_bar", parameters: { type: "object", properties: { bar: { type: "string" } }, required: ["bar"] } } }];

  it("sends the sample's image with the tool-use conversation; the model's call follows the image it saw", async () => {
    // The key decides the tool call by the image alone: the question text is the same for both samples.
    await writeFile(
      join(dir, "tools-key.jsonl"),
      [
        { image_sha256: files.a!.sha256, target: JSON.stringify({ name: "lookup_bar", arguments: { bar: "red" } }) },
        { image_sha256: files.b!.sha256, target: JSON.stringify({ name: "lookup_bar", arguments: { bar: "green" } }) },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const { sim, bodies } = await recordingSim({ answerKeyFile: join(dir, "tools-key.jsonl"), accuracy: 1, replyFormat: "answer" });
    try {
      const docs: Doc[] = ["a", "b"].map((k) => ({ id: k, question: "Which bar is this? Look it up.", image: files[k]!.path, target: k === "a" ? "7" : "9", tools, outputs: { lookup_bar: k === "a" ? "7" : "9" } }));
      const { lines } = await run(TASK, docs, sim);
      expect(lines.map((l) => [l.id, l.status, l.response, l.scores])).toEqual([
        ["a", "ok", "7", { "exact_match,none": 1 }],
        ["b", "ok", "9", { "exact_match,none": 1 }],
      ]);
      const calls = lines.map((l) => (l.transcript as { tool_calls?: { function: { arguments: string } }[] }[])[1]!.tool_calls![0]!.function.arguments);
      expect(calls).toEqual(['{"bar":"red"}', '{"bar":"green"}']);
      expect(lines.map((l) => mediaOf(l).map((m) => m.sha256))).toEqual([[files.a!.sha256], [files.b!.sha256]]);
      // Every request of each loop carries its sample's image in the user message (the first message).
      expect(bodies).toHaveLength(4);
      for (const b of bodies) expect([[files.a!.sha256], [files.b!.sha256]]).toContainEqual(imagesPerMessage(b)[0]);
    } finally {
      await sim.close();
    }
  });

  it("reads content parts in doc_to_messages", async () => {
    const { sim, bodies } = await recordingSim();
    try {
      const task = `
task: chart_messages
output_type: tool_use
doc_to_messages: messages
doc_to_target: target
generation_kwargs: {until: [], max_gen_toks: 8}
`;
      const doc = { id: "m1", target: "x", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: [{ type: "text", text: "What is shown?" }, { type: "image_url", image_url: { url: files.e!.path } }] }] };
      const { lines } = await run(task, [doc], sim);
      expect(lines[0]).toMatchObject({ status: "ok", input: "What is shown?", media: [{ sha256: files.e!.sha256 }] });
      expect(imagesPerMessage(bodies[0]!)).toEqual([[], [files.e!.sha256]]);
    } finally {
      await sim.close();
    }
  });
});

describe("the judge shown the sample's media (llm_judge with_media)", { timeout: 30_000 }, () => {
  it("sends the sample's images to the judge for the metric that asks, and text only for the other", async () => {
    const model = await startSim({ replyFormat: "answer" });
    const judge = await recordingSim({ models: ["judge"] });
    try {
      const task = `
task: chart_judged
doc_to_text: "{{ question }}"
doc_to_image: image
doc_to_target: answer
generation_kwargs: {until: [], max_gen_toks: 16}
metric_list:
  - {metric: llm_judge, name: seen, template: reference, with_media: true}
  - {metric: llm_judge, name: blind, template: factual}
`;
      const docs: Doc[] = ["a", "c"].map((k) => ({ id: k, question: "What colour is this?", image: files[k]!.path, answer: k === "a" ? "red" : "blue" }));
      const { lines } = await run(task, docs, model, judge.sim);
      expect(lines.map((l) => l.status)).toEqual(["ok", "ok"]);
      expect(judge.bodies).toHaveLength(4);
      const seen = judge.bodies.filter((b) => imagesPerMessage(b).some((m) => m.length > 0));
      expect(seen).toHaveLength(2);
      // Each image-carrying judge request holds exactly its sample's image, before the text.
      const digests = seen.map((b) => imagesPerMessage(b).flat()).sort();
      expect(digests).toEqual([[files.a!.sha256], [files.c!.sha256]].sort());
      for (const b of seen) expect((b.messages.at(-1)!.content as { type: string }[]).map((p) => p.type)).toEqual(["image_url", "text"]);
      for (const l of lines) expect(Object.keys(l.scores!).sort()).toEqual(["blind,none", "seen,none"]);
    } finally {
      await Promise.all([model.close(), judge.sim.close()]);
    }
  });
});
