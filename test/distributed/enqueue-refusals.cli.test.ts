import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runCli } from "../support/cli.js";

const input = join(root, "examples/gsm8k-sample.jsonl");

// Refused before any connection: a flag a queue would silently drop must not be accepted.
describe("enqueue refuses run flags a queue cannot carry", () => {
  it.each([
    ["--route", "routes.yaml", "--route (routing rules) cannot be used with a queue yet"],
    ["--max-image-side", "512", "--max-image-side cannot be used with a queue yet"],
    ["--model-family", "qwen", "--model-family cannot be used with a queue yet"],
  ])("%s: exit 2 naming the flag", async (flag, value, message) => {
    const r = await runCli(["enqueue", input, "-t", "gsm8k", "-m", "m", "--queue", "redis://127.0.0.1:59999/q", flag, value]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
