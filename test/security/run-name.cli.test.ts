import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runCli } from "../support/cli.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");

describe("--run names a folder in the store (issue 21, case 11)", () => {
  it("`--run ../../x` is a clear exit 2 and nothing is written outside the store (nor inside it)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "run-name-"));
    const work = join(dir, "a", "b");
    await mkdir(work, { recursive: true });
    // A line that is rejected: without the check, its rejects file would go to <store>/../../x/rejects.jsonl.
    const r = await runCli(["run", "-", "-t", task, "-m", "m", "--base-url", "http://127.0.0.1:59999/v1", "--store", "store", "--run", "../../x", "--no-progress"], {
      cwd: work,
      stdin: "not json\n",
      env: { OPENAI_API_KEY: "sk-test" },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--run/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(work, "store"))).toBe(false);
    expect(await readdir(dir)).toEqual(["a"]);
    expect(await readdir(join(dir, "a"))).toEqual(["b"]);
  });
});
