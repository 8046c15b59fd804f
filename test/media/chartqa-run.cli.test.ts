import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeChartSet } from "../../examples/charts/make-charts.js";
import { startSim, type SimRequest, type SimServer } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { cliArgs, root, runCli } from "../support/cli.js";
import { recordedOkIds } from "../support/store.js";

/**
 * Issue #15's "done when", end to end: the bundled chartqa task on 1,000 generated chart images
 * (64 × 48 PNGs, so that writing them takes seconds) through the real CLI against the simulator,
 * whose answer key knows each answer by its image's digest only. The run is killed with SIGKILL
 * part-way and run again. Slow for a test (two CLI processes, 1,000 requests): about 15 s alone.
 */
const N = 1000;
const POST_PROMPT = "\nAnswer the question with a single word.";

let sim: SimServer;
let dir: string;
let rows: ReturnType<typeof writeChartSet>;
let input: string;
/** Per phase, per image digest: the text sent with each request that carried the image. */
const sent = new Map<string, Map<string, string[]>>();
let phase = "";

interface Part {
  type: string;
  text?: string;
  image_url?: { url: string };
}

function recordRequest(req: SimRequest): undefined {
  const messages = (req.body as { messages?: { content?: unknown }[] } | undefined)?.messages ?? [];
  const parts = (messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])) as Part[]);
  const text = parts.map((p) => p.text ?? "").join("");
  for (const p of parts.filter((x) => x.type === "image_url")) {
    const url = p.image_url!.url;
    const digest = createHash("sha256").update(Buffer.from(url.slice(url.indexOf(",") + 1), "base64")).digest("hex");
    const byDigest = sent.get(phase) ?? new Map<string, string[]>();
    sent.set(phase, byDigest.set(digest, [...(byDigest.get(digest) ?? []), text]));
  }
  return undefined;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-chartqa-"));
  input = join(dir, "data", "charts.jsonl");
  rows = writeChartSet(input, join(dir, "data", "img"), N, 15, { width: 64, height: 48 });
  // The key answers by image digest only: a request without the sample's own image gets no answer from it.
  await writeFile(join(dir, "key.jsonl"), rows.map((r) => JSON.stringify({ image_sha256: r.image_sha256, target: r.answer })).join("\n"));
  sim = await startSim({ port: 0, answerKeyFile: join(dir, "key.jsonl"), accuracy: 1, replyFormat: "answer", faults: recordRequest });
}, 60_000);
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const runArgs = (store: string) => ["run", input, "-t", "chartqa", "-m", "some-vlm", "--base-url", sim.url, "-c", "8", "--store", store, "--no-progress"];

function spawnRun(store: string): { child: ChildProcess; lines: () => string[]; exit: Promise<unknown> } {
  const child = spawn(process.execPath, [...cliArgs, ...runArgs(store)], { cwd: root, stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, OPENAI_API_KEY: "" } });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  return { child, lines: () => out.split("\n").slice(0, -1), exit: once(child, "exit") };
}

describe("chartqa on 1,000 images against the simulator (real CLI, kill -9, rerun)", { timeout: 120_000 }, () => {
  it("scores the key's truth, each sample's own image reached the model, and the rerun after kill -9 sends nothing recorded", async () => {
    expect(new Set(rows.map((r) => r.image_sha256)).size).toBe(N);
    const store = join(dir, "store");

    // 1. SIGKILL once 300 results are out.
    phase = "killed";
    const first = spawnRun(store);
    await new Promise<void>((resolve) => {
      const check = () => first.lines().length >= 300 && resolve();
      first.child.stdout!.on("data", check);
    });
    first.child.kill("SIGKILL");
    await first.exit;
    const recorded = await recordedOkIds(store);
    expect(recorded.size).toBeGreaterThanOrEqual(300);
    expect(recorded.size).toBeLessThan(N);

    // 2. The same command again, to the end.
    phase = "rerun";
    const summaryFile = join(dir, "summary.json");
    const r = await runCli([...runArgs(store), "--summary", summaryFile]);
    expect(r.code, r.stderr).toBe(0);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const byDigest = new Map(rows.map((row) => [row.image_sha256, row]));
    const rerun = sent.get("rerun") ?? new Map<string, string[]>();
    // Nothing recorded is sent again; the rest at most once each. A reply that came back just before the
    // kill, not yet recorded, may be reused from the response cache rather than sent again (at most -c of them).
    for (const id of recorded) expect(rerun.get(byId.get(id)!.image_sha256), id).toBeUndefined();
    for (const texts of rerun.values()) expect(texts).toHaveLength(1);
    expect(rerun.size).toBeLessThanOrEqual(N - recorded.size);
    expect(rerun.size).toBeGreaterThanOrEqual(N - recorded.size - 8);

    // Every image the model got is a sample's, sent with that sample's own question; every sample's image got there.
    for (const byImage of sent.values()) {
      for (const [digest, texts] of byImage) {
        const row = byDigest.get(digest);
        expect(row, digest).toBeDefined();
        for (const text of texts) expect(text).toBe(`${row!.question}${POST_PROMPT}`);
      }
    }
    for (const row of rows) expect(rerun.has(row.image_sha256) || sent.get("killed")!.has(row.image_sha256), row.id).toBe(true);

    // Every line: its own image's digest, the key's answer, relaxed accuracy 1; each id once.
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
    expect(new Set(lines.map((l) => l.id)).size).toBe(N);
    for (const line of lines) {
      const row = byId.get(line.id)!;
      expect(line.media, line.id).toEqual([expect.objectContaining({ type: "image", sha256: row.image_sha256, width: 64, height: 48 })]);
      expect(line.response).toBe(row.answer);
      expect(line.scores!["relaxed_overall,none"]).toBe(1);
    }
    const summary = JSON.parse(await readFile(summaryFile, "utf8")) as Summary;
    const metrics = summary.models["some-vlm"]!.metrics;
    const human = rows.filter((row) => row.type === "human_test").length;
    expect(metrics["relaxed_overall,none"]).toMatchObject({ value: 1, n: N });
    expect(metrics["relaxed_human_split,none"]).toMatchObject({ value: 1, n: human });
    expect(metrics["relaxed_augmented_split,none"]).toMatchObject({ value: 1, n: N - human });
    // What the rerun did not send came from the response cache.
    expect(rerun.size + summary.models["some-vlm"]!.samples.cached).toBe(N - recorded.size);
  });
});
