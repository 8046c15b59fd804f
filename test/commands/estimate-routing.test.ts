import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { estimateCommand } from "../../src/commands/estimate-command.js";
import { resolveRunConfig } from "../../src/config/run-config.js";

describe("streameval estimate with routing and few-shot flags", () => {
  it("asks for --model rather than estimating nothing when only --route is given", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "se-est-"));
    try {
      const routes = path.join(dir, "routes.yaml");
      await writeFile(routes, "routes:\n  - name: all\n    model: m\n");
      const config = resolveRunConfig([], { task: ["mmlu"], route: routes }, {}, { apiKey: false });
      const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), stderrIsTTY: false };
      await expect(estimateCommand(config, io)).rejects.toThrow("key `--model`: estimate counts every sample on every --model and does not apply --route: give --model");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("counts few-shot examples in the prompts it estimates", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "se-est-"));
    try {
      const input = path.join(dir, "in.jsonl");
      await writeFile(input, `${JSON.stringify({ id: "a", subject: "anatomy", question: "Which bone?", choices: ["a", "b", "c", "d"], label: 0 })}\n`);
      const tokens = async (flags: Record<string, string>) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on("data", (c: Buffer) => chunks.push(c));
        const config = resolveRunConfig([input], { task: ["mmlu"], model: ["gpt-4o-mini"], summary: path.join(dir, `s${Object.keys(flags).length}.json`), ...flags }, {}, { apiKey: false });
        await estimateCommand(config, { stdin: new PassThrough(), stdout: out, stderr: new PassThrough(), stderrIsTTY: false });
        const { readFile } = await import("node:fs/promises");
        const s = JSON.parse(await readFile(config.summary!, "utf8"));
        return JSON.stringify(s).match(/"prompt_tokens":(\d+)/)![1];
      };
      expect(Number(await tokens({ numFewshot: "5" }))).toBeGreaterThan(3 * Number(await tokens({})));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
