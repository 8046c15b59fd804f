import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startSim } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";
import { cliArgs, root } from "../support/cli.js";

// The probe is TypeScript: tsx is loaded first (the CLI itself may run from the sources or, with STREAMEVAL_TEST_CLI=bin, the bundle).
const probe = ["--import", import.meta.resolve("tsx"), "--import", new URL("../support/signal-probe.ts", import.meta.url).href];

describe("run: a Ctrl-C right after start", () => {
  it("is held while the command loads, then stops the run before any request: summary written, exit 130", async () => {
    let requests = 0;
    const sim = await startSim({ faults: () => (requests++, undefined) });
    const dir = await mkdtemp(join(tmpdir(), "streameval-early-signal-"));
    try {
      const summaryFile = join(dir, "summary.json");
      const child = spawn(
        process.execPath,
        [...probe, ...cliArgs, "run", join(root, "examples/gsm8k-sample.jsonl"), "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "--store", join(dir, "store"), "--no-progress", "--summary", summaryFile],
        { cwd: root, env: { ...process.env, OPENAI_API_KEY: "" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      let stdout = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
      expect(stderr).toContain("signal-probe: SIGINT sent");
      expect({ code, signal, stderr }).toMatchObject({ code: 130, signal: null });
      expect(stderr).toContain("stopping: no new samples are read");
      const summary = JSON.parse(await readFile(summaryFile, "utf8")) as Summary;
      expect(summary.stopped).toBe("interrupted");
      expect(requests).toBe(0);
      expect(stdout).toBe("");
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
