import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { root, runCli } from "../support/cli.js";
import { type HostileServer, startHostile, streamReply } from "../support/hostile-server.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");

describe("one long input line, a server that reports no usage (issue 21, case 3)", () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a 10 MB prompt is counted offline without a stack overflow: result line, summary, exit 0", async () => {
    server = await startHostile((_req, res) => streamReply(res, "2"));
    const dir = await mkdtemp(join(tmpdir(), "long-line-"));
    const input = join(dir, "in.jsonl");
    await writeFile(input, `${JSON.stringify({ id: "long", question: "A".repeat(10 * 1024 * 1024), answer: "2" })}\n`);
    const summary = join(dir, "summary.json");
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", server.url, "--no-store", "--summary", summary, "--no-progress"], { env: { OPENAI_API_KEY: "sk-test" } });
    expect(r.code, r.stderr).toBe(0);
    const [line] = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
    expect(line?.status).toBe("ok");
    expect(line?.usage?.estimated).toBe(true);
    expect(line?.usage?.prompt_tokens).toBeGreaterThan(2_000_000);
    expect((JSON.parse(await readFile(summary, "utf8")) as Summary).models.m?.samples.ok).toBe(1);
  });
});
