import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Summary } from "../../src/summary/summary.js";
import { cliArgs, root } from "../support/cli.js";
import { type HostileServer, jsonReply, startHostile, streamReply } from "../support/hostile-server.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");

describe("Ctrl-C during a breaker wait (issue 17)", { timeout: 120_000 }, () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("SIGINT while samples wait for an endpoint in an outage ends at once (not after --grace) with the summary written, exit 130", async () => {
    // Answers once (so the endpoint is known good: an outage is waited out), then 503 for ever.
    server = await startHostile((_req, res, _body, n) => (n === 1 ? streamReply(res, "2", { prompt_tokens: 5, completion_tokens: 1 }) : jsonReply(res, 503, { error: { message: "down" } })));
    const dir = await mkdtemp(join(tmpdir(), "breaker-int-"));
    const input = join(dir, "in.jsonl");
    await writeFile(input, Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `s${i}`, question: `${i}?`, answer: "2" })).join("\n") + "\n");
    const summary = join(dir, "summary.json");
    const child = spawn(process.execPath, [...cliArgs, "run", input, "-t", task, "-m", "m", "--base-url", server.url, "-c", "1", "--store", join(dir, "store"), "--summary", summary, "--no-progress", "--grace", "60"], {
      cwd: root,
      env: { ...process.env, OPENAI_API_KEY: "sk-test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const waiting = new Promise<void>((resolve) =>
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("waiting: ")) resolve();
      }),
    );
    child.stdout.resume();
    const exited = once(child, "exit") as Promise<[number | null]>;
    await waiting;
    const sent = Date.now();
    child.kill("SIGINT");
    const [code] = await exited;
    expect(code, stderr).toBe(130);
    // The grace is 60 s: samples stuck behind an open breaker are cancelled at once instead.
    expect(Date.now() - sent).toBeLessThan(20_000);
    const s = JSON.parse(await readFile(summary, "utf8")) as Summary;
    expect(s.stopped).toBe("interrupted");
    expect(s.models.m?.samples.ok).toBe(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
