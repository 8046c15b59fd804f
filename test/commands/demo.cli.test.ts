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

  it("--charts: the bundled chart images with chartqa, the simulator answering by image digest", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "streameval-demo-charts-"));
    try {
      const r = await runCli(["demo", "--charts"], { cwd });
      expect(r.code, r.stderr).toBe(0);
      // 75% right: the simulator knew each chart by its image.
      expect(r.stderr).toMatch(/relaxed_overall,none\s+0\.\d{4}\s+0\.\d{4}\s+24/);
      const lines = (await readFile(join(cwd, ".streameval/demo/results.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
      expect(lines).toHaveLength(24);
      const right = lines.filter((l) => l.response === l.target);
      expect(right.length).toBeGreaterThan(12);
      // A wrong number within 5% of the answer counts too (relaxed accuracy).
      for (const l of lines) if (l.response === l.target) expect(l.scores!["relaxed_overall,none"]).toBe(1);
      for (const l of lines) if (l.scores!["relaxed_overall,none"] === 0) expect(l.response).not.toBe(l.target);
      expect(lines.every((l) => (l.media as { sha256: string }[])[0]!.sha256.length === 64)).toBe(true);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});
