import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { main } from "../../examples/rolling-windows.js";

describe("docs/continuous.md's rolling-windows example", () => {
  it("runs: four windows of ten, and the alert fires when the model drifts", async () => {
    const out = await main();
    expect(out.map((x) => (x.type === "window" ? x.models.drifting!.metrics["exact_match,strict-match"]!.value : `${x.state}@${x.window.index}`))).toEqual([1, 1, 0, "firing@2", 0]);
  });

  it("docs/continuous.md shows it exactly as it is in examples/rolling-windows.ts", async () => {
    const doc = await readFile(new URL("../../docs/continuous.md", import.meta.url), "utf8");
    const code = (await readFile(new URL("../../examples/rolling-windows.ts", import.meta.url), "utf8")).replace('from "../src/index.js"', 'from "streameval"');
    expect(doc).toContain(code);
  });
});
