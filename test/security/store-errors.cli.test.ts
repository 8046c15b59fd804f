import { chmod, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runCli } from "../support/cli.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");
const input = join(root, "test/fixtures/security/three.jsonl");
/**
 * root writes through any mode bits, so as root the store is made read-only by a read-only bind mount in a
 * mount namespace of the CLI's own (EROFS). Not another user: that user may not be able to read the clone.
 */
const readOnlyFor = (store: string): { wrap?: readonly string[] } =>
  process.getuid?.() === 0
    ? { wrap: ["unshare", "-m", "sh", "-c", 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', store] }
    : {};

/** A real store with a finished run in it (no server: every line is rejected, the run is still recorded). */
async function makeStore(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "store-cli-"));
  await chmod(dir, 0o755);
  const store = join(dir, "store");
  const r = await runCli(["runs", "list", "--store", store]);
  expect(r.code).toBe(2); // no store yet
  await writeFile(join(dir, "bad.jsonl"), "not json\n");
  await runCli(["run", join(dir, "bad.jsonl"), "-t", task, "-m", "m", "--base-url", "http://127.0.0.1:9/v1", "--store", store, "--no-progress"], { env: { OPENAI_API_KEY: "sk-test" } });
  expect((await readdir(store)).includes("checkpoint.leveldb")).toBe(true);
  return store;
}

describe("store errors are messages, never stack traces (issue 21, case 12)", () => {
  it("a read-only store: exit 2, names the store and says to make it writable (not ENOENT, no stack)", async () => {
    const store = await makeStore();
    for (const sub of ["", "checkpoint.leveldb"]) await chmod(join(store, sub), 0o555);
    for (const f of await readdir(join(store, "checkpoint.leveldb"))) await chmod(join(store, "checkpoint.leveldb", f), 0o444);
    const r = await runCli(["run", input, "-t", task, "-m", "m", "--base-url", "http://127.0.0.1:9/v1", "--store", store, "--no-progress"], { env: { OPENAI_API_KEY: "sk-test", HOME: tmpdir() }, ...readOnlyFor(store) });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`streameval: the store ${store} cannot be written`);
    expect(r.stderr).toContain("make it writable");
    expect(r.stderr).not.toContain("ENOENT");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 90_000); // three CLI starts each

  it("a damaged store: exit 2, names it and says how to move it aside", async () => {
    const store = await makeStore();
    const leveldb = join(store, "checkpoint.leveldb");
    const manifest = (await readdir(leveldb)).find((f) => f.startsWith("MANIFEST-"))!;
    await writeFile(join(leveldb, manifest), "garbage\n");
    const r = await runCli(["runs", "list", "--store", store]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`streameval: the store ${store} is damaged and cannot be read (Corruption:`);
    expect(r.stderr).toContain(`mv ${store} ${store}.damaged`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 90_000); // three CLI starts each
});
