import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { root, runCli } from "../support/cli.js";
import { type HostileServer, startHostile, streamReply } from "../support/hostile-server.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");

describe("hostile input lines (issue 21, cases 8 and 12)", () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a line nested 100k levels deep without an id, a __proto__ key and invalid UTF-8 do not stop the run", async () => {
    server = await startHostile((_req, res, body) => streamReply(res, JSON.stringify(body.messages).includes("Q: 2+2") ? "4" : "2", { prompt_tokens: 5, completion_tokens: 1 }));
    const dir = await mkdtemp(join(tmpdir(), "deep-"));
    const input = join(dir, "in.jsonl");
    const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
    await writeFile(
      input,
      Buffer.concat([
        Buffer.from(`{"question":"1+1?","answer":"2","nested":${deep}}\n`),
        Buffer.from(`{"id":"p","question":"2+2?","answer":"4","__proto__":{"question":"polluted"}}\n`),
        Buffer.from('{"id":"bad","question":"\xff\xfe?","answer":"2"}\n', "latin1"),
      ]),
    );
    const summary = join(dir, "summary.json");
    const rejects = join(dir, "rejects.jsonl");
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", server.url, "--no-store", "--summary", summary, "--rejects", rejects, "--no-progress"], {
      env: { OPENAI_API_KEY: "sk-test" },
    });
    expect(r.code, r.stderr).toBe(0);
    const results = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
    expect(results.map((l) => l.status)).toEqual(["ok", "ok"]);
    expect(results[0]?.id).toMatch(/^h:[0-9a-f]{16}$/);
    expect(results[1]?.input).toBe("Q: 2+2?\nA:");
    const rejected = (await readFile(rejects, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.line).toBe(3);
    expect(rejected[0]?.reason).toMatch(/UTF-8/);
    expect((JSON.parse(await readFile(summary, "utf8")) as Summary).models.m?.samples.ok).toBe(2);
  });
});
