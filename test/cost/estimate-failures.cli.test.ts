import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunEstimate } from "../../src/run-estimate.js";
import { root, runCli } from "../support/cli.js";

const task = join(root, "test/fixtures/hook-tasks/filtered.yaml");

describe("estimate reports a sample it cannot count (issue 21, case 10)", () => {
  it("names it on stderr by file:line, says so above the table, and exits 5", async () => {
    const dir = await mkdtemp(join(tmpdir(), "estimate-fail-"));
    const input = join(dir, "in.jsonl");
    await writeFile(input, ['{"id":"a","question":"1+1","answer":"2"}', '{"id":"b","question":"2+2","answer":"4","bad":true}', '{"id":"c","question":"3+3","answer":"6"}'].join("\n") + "\n");
    const summary = join(dir, "estimate.json");
    const r = await runCli(["estimate", input, "-t", task, "-m", "gpt-4o-mini", "--summary", summary]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain(`${input}:2: sample "b" on gpt-4o-mini not counted: doc_to_text (!function hooks.text): ValueError: doc b is bad`);
    expect(r.stdout).toMatch(/^estimate: 3 sample\(s\), 1 not counted/);
    const e = JSON.parse(await readFile(summary, "utf8")) as RunEstimate;
    expect(e.failed).toBe(1);
    expect(e.failures[0]).toMatchObject({ id: "b", at: { file: input, line: 2 } });
    expect(e.models[0]?.requests).toBe(2);
  });
});
