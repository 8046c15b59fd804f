import { readFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { main } from "../examples/custom-pipeline.js";

describe("docs/library.md's custom-pipeline example", () => {
  it("runs: the custom pipeline scores every sample and tags its lines", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const summary = await main();
      const m = summary.models.doubler!;
      expect(m.samples).toMatchObject({ total: 3, ok: 3 });
      expect(m.metrics["exact_match,strict-match"]).toMatchObject({ value: 1, n: 3 });
      expect(log).toHaveBeenCalledTimes(3);
    } finally {
      log.mockRestore();
    }
  });

  it("docs/library.md shows the example exactly as it is in examples/custom-pipeline.ts", async () => {
    const doc = await readFile(new URL("../docs/library.md", import.meta.url), "utf8");
    const code = (await readFile(new URL("../examples/custom-pipeline.ts", import.meta.url), "utf8")).replace('from "../src/index.js"', 'from "streameval"');
    expect(doc).toContain(code);
  });
});
