import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";

describe("streameval demo (what `npm run demo` runs; a real process)", () => {
  it("evaluates the bundled sample against the bundled simulator: 40 scored lines, a summary and its table", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "streameval-demo-"));
    try {
      for (const round of [1, 2]) {
        const r = await runCli(["demo"], { cwd });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/exact_match,strict-match\s+0\.\d{4}\s+0\.\d{4}\s+40/);
        const lines = (await readFile(join(cwd, ".streameval/demo/results.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
        // Each demo starts its run afresh: the results file holds this round's 40 lines, not 80.
        expect(lines, `round ${round}`).toHaveLength(40);
        expect(new Set(lines.map((l) => l.id)).size).toBe(40);
        const summary = JSON.parse(await readFile(join(cwd, ".streameval/demo/summary.json"), "utf8")) as Summary;
        expect(summary.models["sim-gpt"]!.samples).toMatchObject({ ok: 40, error: 0, resumed: 0 });
      }
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
