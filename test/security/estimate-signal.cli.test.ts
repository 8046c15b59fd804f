import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliArgs, root } from "../support/cli.js";

// The probe is TypeScript: tsx is loaded first (the CLI itself may run from the sources or, with STREAMEVAL_TEST_CLI=bin, the bundle).
const probe = ["--import", import.meta.resolve("tsx"), "--import", new URL("../support/count-worker-probe.ts", import.meta.url).href];

describe("estimate: SIGTERM while a huge line is being counted (issue 21, case 4)", () => {
  it("ends the command at once with a message (exit 130), not after the count, and prints no estimate", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-estimate-signal-"));
    try {
      // 3.8 MB of words: under the 4M-character bytes/4 shortcut, so it is counted exactly, on the worker thread (seconds).
      const input = join(dir, "big.jsonl");
      await writeFile(input, `${JSON.stringify({ id: "big", question: "lorem ipsum dolor sit amet ".repeat(140_000), answer: "2" })}\n`);
      const child = spawn(process.execPath, [...probe, ...cliArgs, "estimate", input, "-t", join(root, "test/fixtures/security/short-answer.yaml"), "-m", "gpt-4o-mini"], {
        cwd: root,
        env: { ...process.env, OPENAI_API_KEY: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
      expect(stderr).toContain("count-worker-probe: SIGTERM sent");
      expect({ code, signal }).toEqual({ code: 130, signal: null });
      expect(stderr).toContain("estimate: interrupted: counting stopped, nothing was sent, no estimate printed");
      expect(stderr).not.toMatch(/\n\s+at /);
      // The count never finished: no table.
      expect(stdout).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
