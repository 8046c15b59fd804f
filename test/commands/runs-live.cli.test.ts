import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import type { StoreStatus } from "../../src/store/store-status.js";
import { cliArgs, root, runCli } from "../support/cli.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");
let sim: SimServer;
beforeAll(async () => {
  sim = await startSim({ latencyMs: 100 });
});
afterAll(async () => {
  await sim.close();
});

async function until<T>(probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error("timed out");
}

describe("runs list and runs show while a run holds the store (issue 17)", { timeout: 180_000 }, () => {
  it("read the holder's status file: the live run with its results so far, the finished runs as recorded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runs-live-"));
    const store = join(dir, "store");
    const input = join(dir, "in.jsonl");
    await writeFile(input, Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `s${i}`, question: `${i}+1?`, answer: String(i + 1) })).join("\n") + "\n");
    const base = ["-t", task, "-m", "sim", "--base-url", sim.url, "--store", store, "--no-progress", "--no-cache"];
    expect((await runCli(["run", input, "--limit", "2", "--run", "done", ...base])).code).toBe(0);

    const child = spawn(process.execPath, [...cliArgs, "run", input, "--run", "live", "-c", "1", ...base], { cwd: root, env: { ...process.env, OPENAI_API_KEY: "" }, stdio: ["ignore", "ignore", "pipe"] });
    try {
      const status = await until(async () => {
        const s = existsSync(join(store, "status.json")) ? (JSON.parse(await readFile(join(store, "status.json"), "utf8")) as StoreStatus) : undefined;
        return s && s.session.ok >= 2 ? s : undefined;
      });
      expect(status.pid).toBe(child.pid);

      const list = await runCli(["runs", "list", "--store", store, "--json"]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stderr).toContain(`is in use by process ${child.pid} (run --run live, live): shown from its status file`);
      const reports = JSON.parse(list.stdout) as { run: string; status: string; counts: { ok: number }; live?: { pid: number } }[];
      expect(reports.map((r) => [r.run, r.status])).toEqual([["done", "complete"], ["live", "running"]]);
      expect(reports[0]?.counts.ok).toBe(2);
      expect(reports[1]?.live?.pid).toBe(child.pid);
      expect(reports[1]?.counts.ok).toBeGreaterThanOrEqual(2);

      const show = await runCli(["runs", "show", "live", "--store", store]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toMatch(/^status {3}running$/m);
      expect(show.stdout).toMatch(new RegExp(`ok \\(0 reused\\), 0 error so far — live in process ${child.pid}`));
      expect(show.stdout).toContain("summary: when the run ends (it is live)");
      const finished = await runCli(["runs", "show", "done", "--store", store]);
      expect(finished.code).toBe(0);
      expect(finished.stdout).toContain("run done · complete");

      // Export needs the records: it still says who holds the store.
      const exported = await runCli(["runs", "export", "live", "--store", store]);
      expect(exported.code).toBe(2);
      expect(exported.stderr).toContain(`in use by process ${child.pid}`);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    // The holder removes its status file when it lets the store go.
    expect(existsSync(join(store, "status.json"))).toBe(false);
  });
});
