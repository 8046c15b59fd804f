import { readdir, readFile } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { root, runCli } from "../support/cli.js";
import { type HostileServer, jsonReply, startHostile, streamReply } from "../support/hostile-server.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");
const input = join(root, "test/fixtures/security/three.jsonl");
const KEY = "sk-live-0123456789abcdefSECRET";
const lines = (stdout: string): ResultLine[] => stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

/** Every byte under a folder (the LevelDB store: its log, tables, manifest), as one string. */
async function everything(dir: string): Promise<string> {
  let all = "";
  for (const f of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    all += (await readFile(join(f.parentPath, f.name))).toString("latin1");
  }
  return all;
}

describe("server data is untrusted (issue 21, cases 5 and 7)", () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a key echoed in an error body reaches no output, result line, summary or store", async () => {
    server = await startHostile((req, res, body) => {
      const auth = req.headers.authorization ?? "";
      if (JSON.stringify(body.messages).includes("2+2")) {
        jsonReply(res, 400, { error: { message: `Incorrect API key provided: ${auth.replace("Bearer ", "")}. Get one at https://u:${KEY}@x.test/`, code: "bad_key" } });
      } else streamReply(res, "2", { prompt_tokens: 5, completion_tokens: 1 });
    });
    const dir = await mkdtemp(join(tmpdir(), "secrets-"));
    const summary = join(dir, "summary.json");
    const store = join(dir, "store");
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", server.url, "--store", store, "--summary", summary, "--no-progress", "--max-retries", "0"], {
      env: { OPENAI_API_KEY: KEY },
    });
    expect(r.code, r.stderr).toBe(5);
    const failed = lines(r.stdout).find((l) => l.status === "error");
    expect(failed?.error?.message).toContain("Incorrect API key provided: [REDACTED]");
    for (const text of [r.stdout, r.stderr, await readFile(summary, "utf8"), await everything(store)]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain("SECRET");
    }
  });

  it("a key echoed by a 401 (fatal, exit 4) is not printed", async () => {
    server = await startHostile((req, res) => jsonReply(res, 401, { error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}` } }));
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", server.url, "--no-store", "--no-progress"], { env: { OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("[REDACTED]");
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it("credentials in --base-url are refused (exit 2) without being printed or stored", async () => {
    server = await startHostile((_req, res) => streamReply(res, "2"));
    const dir = await mkdtemp(join(tmpdir(), "url-creds-"));
    const url = server.url.replace("http://", "http://user:SECRETPASSWORD@");
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", url, "--store", join(dir, "store"), "--no-progress"], { env: { OPENAI_API_KEY: KEY } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("carries credentials");
    expect(r.stderr).not.toContain("SECRETPASSWORD");
    expect(await everything(dir)).not.toContain("SECRETPASSWORD");
    expect(server.requests()).toBe(0);
  });

  it("negative or non-numeric usage is not believed: counted offline and marked; the budget is not credited", async () => {
    server = await startHostile((_req, res, body) =>
      streamReply(res, "2", JSON.stringify(body.messages).includes("1+1") ? { prompt_tokens: -1e9, completion_tokens: 1 } : { prompt_tokens: "NaN", completion_tokens: 1 }),
    );
    const dir = await mkdtemp(join(tmpdir(), "usage-"));
    const summary = join(dir, "summary.json");
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", server.url, "--no-store", "--summary", summary, "--no-progress", "--price", "1/1", "--budget-usd", "10"], {
      env: { OPENAI_API_KEY: KEY },
    });
    expect(r.code, r.stderr).toBe(0);
    for (const l of lines(r.stdout)) {
      expect(l.usage?.estimated).toBe(true);
      expect(l.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(l.cost_usd).toBeGreaterThan(0);
    }
    const s = JSON.parse(await readFile(summary, "utf8")) as Summary;
    expect(s.models.m?.usage.prompt_tokens).toBeGreaterThan(0);
    expect(Number.isInteger(s.models.m?.usage.prompt_tokens)).toBe(true);
    expect(s.models.m?.cost_usd).toBeGreaterThan(0);
  });
});
