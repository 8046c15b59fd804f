import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { runCli } from "../support/cli.js";

// Day-one mistakes, made with the real CLI in child processes: each must end with a clear word, never a silent wait.
let dir: string;
let sim: SimServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-failfast-"));
  sim = await startSim({ seed: 2 });
  await writeFile(join(dir, "ok.jsonl"), `${JSON.stringify({ id: "a", question: "What is one plus one, written as a number?", target: "2" })}\n`);
  // Lines without the `question` gsm8k's prompt needs.
  await writeFile(join(dir, "bad.jsonl"), Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: `b${i}`, prompt: "no question here", target: "1" })).join("\n") + "\n");
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const run = (args: string[]) => runCli(["run", ...args, "-t", "gsm8k", "-m", "m", "--no-progress"], { cwd: dir });

describe("failing fast, and never silently (child processes)", { timeout: 240_000 }, () => {
  it("a base URL without a scheme is a usage error (exit 2) naming the flag", async () => {
    const r = await run(["ok.jsonl", "--base-url", "127.0.0.1:8000/v1", "--store", "s0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base-url.*127\.0\.0\.1:8000\/v1.*did you mean http:\/\/127\.0\.0\.1:8000\/v1/);
    expect(existsSync(join(dir, "s0"))).toBe(false);
  });

  it("a port fetch refuses (1, 6000) or out of range (99999) is a usage error (exit 2) naming the flag and the port, before the store is touched", async () => {
    for (const [url, said] of [
      ["http://127.0.0.1:1/v1", "port 1 of"],
      ["http://127.0.0.1:6000/v1", "port 6000 of"],
      ["http://127.0.0.1:99999/v1", "port 99999 of"],
    ] as const) {
      const r = await run(["ok.jsonl", "--base-url", url, "--connect-timeout", "1", "--store", "s-port"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`key \`--base-url\`: ${said} "${url}"`);
      expect(existsSync(join(dir, "s-port"))).toBe(false);
    }
  });

  it("nothing listening on the port: exit 4 after --connect-timeout, one line naming the URL and 'connection refused'", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const started = Date.now();
    const r = await run(["ok.jsonl", "--base-url", url, "--connect-timeout", "1", "--store", "s1"]);
    expect(r.code, r.stderr).toBe(4);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stderr.split("\n").filter((l) => l.startsWith(`stopping (fatal): cannot reach ${url}: connection refused (ECONNREFUSED)`))).toHaveLength(1);
    // Said once: the summary's first line does not repeat it.
    expect(r.stderr.split("connection refused").length - 1, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/· stopped: fatal ·/);
    expect(r.stderr).toMatch(/run the same command again to continue/);
  });

  it("every line rejected: the first reasons on stderr with file:line and key, the count, exit 2; --no-store writes no store", async () => {
    const r = await run(["bad.jsonl", "--base-url", sim.url, "--no-store"]);
    expect(r.code).toBe(2);
    const shown = r.stderr.split("\n").filter((l) => l.startsWith("rejected bad.jsonl:"));
    expect(shown).toHaveLength(7); // no file to hold them: every reason on stderr
    expect(shown[0]).toMatch(/^rejected bad\.jsonl:1: key `question`/);
    expect(r.stderr).toMatch(/every input line was rejected \(7\)/);
    expect(existsSync(join(dir, ".streameval"))).toBe(false);
    expect(r.stdout).toBe("");

    // With a store: the first five on stderr, the rest counted and in the rejects file it names.
    const s = await run(["bad.jsonl", "--base-url", sim.url, "--store", "s2"]);
    expect(s.code).toBe(2);
    expect(s.stderr.split("\n").filter((l) => l.startsWith("rejected bad.jsonl:"))).toHaveLength(5);
    expect(s.stderr).toMatch(/7 line\(s\) rejected, the first 5 shown above → s2\/gsm8k-\w+\/rejects\.jsonl/);
  });

  it("a missing input fails before the store is touched: the finished run stays complete", async () => {
    expect((await run(["ok.jsonl", "--base-url", sim.url, "--store", "s3", "--price", "1/2"])).code).toBe(0);
    const r = await run(["missing.jsonl", "--base-url", sim.url, "--store", "s3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.jsonl.*no such file/);
    const list = await runCli(["runs", "list", "--store", "s3", "--json"], { cwd: dir });
    expect(list.stdout).toMatch(/"status":"complete"/);
    // runs export's summary carries the cost, rebuilt from the records.
    const [meta] = JSON.parse(`[${list.stdout.trim().split("\n").join(",")}]`).flat() as { run: string }[];
    const exported = await runCli(["runs", "export", meta!.run, "--store", "s3", "--summary", "x.json"], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(await readFile(join(dir, "x.json"), "utf8")) as { cost: { total_usd: number | null } };
    expect(summary.cost.total_usd).toBeGreaterThan(0);
  });
});
