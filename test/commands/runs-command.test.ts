import { mkdtemp, readFile, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/run-command.js";
import { runsExport, runsList, runsShow } from "../../src/commands/runs-command.js";
import { resolveRunConfig, type RunFlags } from "../../src/config/run-config.js";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import { runIdentity } from "../../src/store/run-meta.js";
import { beginRun } from "../../src/store/run-session.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { memoryIO } from "../support/command-io.js";

const sample = fileURLToPath(new URL("../../examples/gsm8k-sample.jsonl", import.meta.url));
let sim: SimServer;
let dir: string;
beforeAll(async () => {
  sim = await startSim({ answerKeyFile: sample, accuracy: 0.6, seed: 5 });
  dir = await mkdtemp(join(tmpdir(), "streameval-runs-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const run = async (flags: RunFlags, inputs = [sample]) => {
  const io = memoryIO();
  const code = await runCommand(resolveRunConfig(inputs, { task: ["gsm8k"], model: ["sim"], baseUrl: sim.url, concurrency: "4", price: "1/2", ...flags }, {}), io);
  return { code, io, lines: io.out().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine) };
};
/** A port free right now on loopback. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
const summaryOf = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Summary;

describe("run with a checkpoint, then runs list / show / export", () => {
  it("a rerun of a finished run sends nothing, outputs every sample again marked resumed, and reports the whole run", async () => {
    const store = join(dir, "s1");
    const first = await run({ store, summary: join(dir, "a.json"), limit: "12" });
    expect(first.code).toBe(0);
    expect(first.lines).toHaveLength(12);
    const before = sim.stats().requests;
    const again = await run({ store, summary: join(dir, "b.json"), limit: "12" });
    expect(sim.stats().requests).toBe(before);
    const byId = (a: ResultLine, b: ResultLine) => a.id.localeCompare(b.id);
    expect(again.lines.sort(byId).map(({ resumed, ...l }) => [resumed, l])).toEqual(first.lines.sort(byId).map((l) => [true, l]));
    expect(again.io.err()).toMatch(/resuming run gsm8k-[0-9a-f]{12} \(complete\): 12 recorded result\(s\) are reused/);
    const a = await summaryOf(join(dir, "a.json"));
    const b = await summaryOf(join(dir, "b.json"));
    expect(b.models.sim!.samples).toEqual({ ...a.models.sim!.samples, resumed: 12 });
    expect(b.models.sim!.metrics).toEqual(a.models.sim!.metrics);
    // Tokens cover the whole run; requests and retries are what this run sent: none.
    expect(b.models.sim!.usage).toEqual({ ...a.models.sim!.usage, requests: 0, retries: 0 });
    expect(a.models.sim!.usage.requests).toBe(12);
    expect(b.models.sim!.cost_usd).toBeCloseTo(a.models.sim!.cost_usd!, 12);
    // a longer --limit is the same run: only the new samples are sent
    const more = await run({ store, limit: "20" });
    const fresh = more.lines.filter((l) => !l.resumed);
    expect(fresh.map((l) => l.id)).toEqual(expect.arrayContaining(["gsm8k-test-12", "gsm8k-test-19"]));
    expect(fresh).toHaveLength(8);
    expect(more.lines).toHaveLength(20);
    expect(sim.stats().requests).toBe(before + 8);
  });

  it("runs list, show and export read the store; export gives the lines and the summary back", async () => {
    const store = join(dir, "s2");
    const done = await run({ store, run: "named", summary: join(dir, "named.json"), limit: "10" });
    const listIO = memoryIO();
    expect(await runsList({ store }, listIO)).toBe(0);
    expect(listIO.out()).toMatch(/^run\s+status\s+ok\s+errors/);
    expect(listIO.out()).toMatch(/named\s+complete\s+10\s+0\s+1 /);
    const json = memoryIO();
    await runsList({ store, json: true }, json);
    expect(JSON.parse(json.out())).toMatchObject([{ run: "named", status: "complete", counts: { ok: 10, error: 0 }, tasks: ["gsm8k"], models: ["sim"] }]);

    const show = memoryIO();
    expect(await runsShow("named", { store }, show)).toBe(0);
    expect(show.out()).toContain("status   complete");
    expect(show.out()).toContain("results  10 ok, 0 error");
    expect(show.out()).toContain("exact_match,strict-match");
    expect(show.out()).not.toContain("EMPTY");
    const showJson = memoryIO();
    await runsShow("named", { store, json: true }, showJson);
    expect(JSON.parse(showJson.out())).toMatchObject({ run: "named", store_layout: 2 });

    const exp = memoryIO();
    const summaryPath = join(dir, "export.json");
    expect(await runsExport("named", { store, summary: summaryPath }, exp)).toBe(0);
    const exported = exp.out().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
    const byId = (ls: ResultLine[]) => [...ls].sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(exported)).toEqual(byId(done.lines));
    const original = await summaryOf(join(dir, "named.json"));
    const rebuilt = await summaryOf(summaryPath);
    expect(rebuilt.models.sim!.metrics).toEqual(original.models.sim!.metrics);
    expect(rebuilt.models.sim!.samples).toEqual(original.models.sim!.samples);
    expect(rebuilt.models.sim!.latency_ms).toEqual(original.models.sim!.latency_ms);
    expect(exp.err()).toContain("run named · complete");

    const missing = memoryIO();
    expect(await runsShow("nope", { store }, missing)).toBe(2);
    expect(missing.err()).toBe(`streameval: no run "nope" in ${store} (runs: named)\n`);
    await expect(runsList({ store: join(dir, "none") }, memoryIO())).rejects.toThrow(`no store at ${join(dir, "none")}`);
  });

  it("a run whose process died shows as crashed, with a summary rebuilt from its records", async () => {
    const store = join(dir, "s7");
    const s = await CheckpointStore.open(store);
    const session = await beginRun(s, { run: "dead", identity: runIdentity({ tasks: [{ name: "gsm8k", origin: { text: "x" } }], models: ["sim"] }), tasks: [{ name: "gsm8k", aggregations: { exact_match: "mean" } }], models: ["sim"] });
    await session.store.record({ id: "a", task: "gsm8k", model: "sim", repeat: 0, status: "ok", input: "", scores: { "exact_match,strict-match": 1 } });
    await session.store.record({ id: "b", task: "gsm8k", model: "sim", repeat: 0, status: "ok", input: "", scores: { "exact_match,strict-match": 0 } });
    await s.close(); // no finish: as if the process had been killed
    const list = memoryIO();
    await runsList({ store }, list);
    expect(list.out()).toMatch(/dead\s+crashed\s+2\s+0\s+1 /);
    const show = memoryIO();
    await runsShow("dead", { store, json: true }, show);
    const shown = JSON.parse(show.out());
    expect(shown.status).toBe("crashed");
    expect(shown.summary.models.sim.metrics["exact_match,strict-match"]).toMatchObject({ value: 0.5, n: 2 });
  });

  it("-o on a resumed run appends, so the file holds each sample once", async () => {
    const store = join(dir, "s3");
    const output = join(dir, "out.jsonl");
    await run({ store, output, limit: "5" });
    await run({ store, output, limit: "9" });
    const ids = (await readFile(output, "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as ResultLine).id);
    expect(ids).toHaveLength(9);
    expect(new Set(ids).size).toBe(9);
    // --fresh starts over: the file too
    await run({ store, output, limit: "3", fresh: true });
    expect((await readFile(output, "utf8")).trim().split("\n")).toHaveLength(3);
  });

  it("an explicit --run resumed with another config warns and names what changed", async () => {
    const store = join(dir, "s4");
    await run({ store, run: "r", limit: "2" });
    const changed = await run({ store, run: "r", limit: "2", repeats: "2" });
    expect(changed.io.err()).toContain("warning: run r was recorded with a different configuration (repeats: task default → 2)");
    expect(changed.lines.filter((l) => !l.resumed)).toHaveLength(2); // repeat 1 of each sample is new; repeat 0 is reused
  });

  it("--no-store records nothing and resumes nothing", async () => {
    const store = join(dir, "s5");
    await run({ store: false, limit: "2" });
    await expect(CheckpointStore.open(store, { create: false })).rejects.toThrow("no store at");
  });

  it("a run refuses a store another process holds, naming it", async () => {
    const store = join(dir, "s6");
    const holder = await CheckpointStore.open(store, { owner: { command: "run", run: "busy" } });
    try {
      await expect(run({ store, limit: "1" })).rejects.toThrow(`the store ${store} is in use by process ${process.pid} (run --run busy)`);
    } finally {
      await holder.close();
    }
  });

  it("a run that fails before it starts (an alert naming no metric) leaves no run marked running, and closes what it opened", async () => {
    const store = join(dir, "s9");
    await expect(run({ store, metricsPort: "0", alert: ["nosuch_metric < 1"], window: "10" })).rejects.toThrow(/nosuch_metric/);
    // The store is free (not left locked) and holds no run marked running (which `runs list` would call crashed).
    const s = await CheckpointStore.open(store);
    try {
      expect((await s.listRuns()).filter((r) => r.status === "running")).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("a run refused a locked store closes its metrics server again", async () => {
    const store = join(dir, "s10");
    const holder = await CheckpointStore.open(store, { owner: { command: "run", run: "busy" } });
    try {
      const port = await freePort();
      const config = resolveRunConfig([sample], { task: ["gsm8k"], model: ["sim"], baseUrl: sim.url, store, metricsPort: String(port) }, {});
      await expect(runCommand(config, memoryIO())).rejects.toThrow("is in use by process");
      // Nothing is left listening on the port: it can be taken again.
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    } finally {
      await holder.close();
    }
  });
});
