import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ResultLine } from "../../src/types.js";
import type { Summary } from "../../src/summary/summary.js";
import { root, runCli } from "../support/cli.js";
import { endlessStream, type HostileServer, jsonReply, startHostile } from "../support/hostile-server.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");
const input = join(root, "test/fixtures/security/three.jsonl");
const lines = (stdout: string): ResultLine[] => stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

async function run(server: HostileServer, extra: string[]) {
  const dir = await mkdtemp(join(tmpdir(), "bounded-"));
  const summary = join(dir, "summary.json");
  const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", server.url, "--store", join(dir, "store"), "--summary", summary, "--no-progress", ...extra], {
    env: { OPENAI_API_KEY: "sk-test" },
  });
  return { ...r, results: lines(r.stdout), summary: JSON.parse(await readFile(summary, "utf8")) as Summary };
}

describe("a reply past its cap ends its sample as an error; the run goes on", () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("an endless stream of 64 kB events is cut at --max-reply-bytes, once per sample (not retried)", async () => {
    server = await startHostile((_req, res) => endlessStream(res));
    const r = await run(server, ["-c", "3", "--max-reply-bytes", "1048576"]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.results.map((l) => [l.id, l.status, l.error?.type]).sort()).toEqual([["a", "error", "reply_too_large"], ["b", "error", "reply_too_large"], ["c", "error", "reply_too_large"]].sort());
    expect(r.results[0]?.error?.message).toContain("--max-reply-bytes");
    expect(server.requests()).toBe(3);
    expect(r.summary.models.m?.samples.error).toBe(3);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  // With no flag at all, so that it checks the defaults and would fail on code without caps (not merely on an unknown flag).
  it("with the default caps, an endless stream and a 17 MiB whole reply each end their sample; the run goes on", async () => {
    server = await startHostile((_req, res, body) => {
      if (body.stream) return endlessStream(res);
      const q = JSON.stringify(body.messages);
      const content = q.includes("2+2") ? "x".repeat(17 * 1024 * 1024) : "4";
      jsonReply(res, 200, { id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] });
    });
    const streamed = await run(server, ["-c", "3"]);
    expect(streamed.code, streamed.stderr).toBe(5);
    expect(streamed.results.map((l) => l.error?.type)).toEqual(["reply_too_large", "reply_too_large", "reply_too_large"]);
    const whole = await run(server, ["--no-stream"]);
    expect(whole.code, whole.stderr).toBe(5);
    const byId = new Map(whole.results.map((l) => [l.id, l]));
    expect(byId.get("b")?.error?.type).toBe("reply_too_large");
    expect(byId.get("a")?.status).toBe("ok");
  }, 90_000); // Two CLI runs that each read some 16 MiB of reply: 6 s quiet, past 30 s under a busy machine's load.

  it("an endless stream of one-character events is cut at --max-reply-token-factor × max_tokens", async () => {
    server = await startHostile((_req, res) => endlessStream(res, 1));
    const r = await run(server, ["-c", "3", "--max-reply-token-factor", "2"]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.results.map((l) => l.error?.type)).toEqual(["reply_too_large", "reply_too_large", "reply_too_large"]);
    expect(r.results[0]?.error?.message).toContain("32 streamed tokens");
  });

  it("a whole (non-streamed) reply past the byte cap is an error; a reply under it is scored", async () => {
    server = await startHostile((_req, res, body) => {
      const q = JSON.stringify(body.messages);
      const content = q.includes("2+2") ? "x".repeat(3 * 1024 * 1024) : "4";
      jsonReply(res, 200, { id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] });
    });
    const r = await run(server, ["--no-stream", "--max-reply-bytes", "2097152"]);
    expect(r.code, r.stderr).toBe(5);
    const byId = new Map(r.results.map((l) => [l.id, l]));
    expect(byId.get("b")?.error?.type).toBe("reply_too_large");
    expect(byId.get("a")?.status).toBe("ok");
    expect(byId.get("c")?.status).toBe("ok");
  });
});
