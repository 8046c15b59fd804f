import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runCli } from "../support/cli.js";

const task = join(root, "test/fixtures/security/short-answer.yaml");
const input = join(root, "test/fixtures/security/three.jsonl");

/** "Billion laughs": nine levels of nine aliases each, 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`lol${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

const taskHead = 'task: bomb\noutput_type: generate_until\ndoc_to_text: "{{question}}"\ndoc_to_target: "{{answer}}"\n';

describe("hostile configuration files (issue 21, case 12): a clear exit 2 naming the file", () => {
  it("an alias bomb in a task file or a --models file is refused, not expanded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "alias-bomb-"));
    const bombTask = join(dir, "bomb-task.yaml");
    const bombModels = join(dir, "bomb-models.yaml");
    await writeFile(bombTask, taskHead + aliasBomb());
    await writeFile(bombModels, `${aliasBomb()}models:\n  m: {}\n`);

    const viaTask = await runCli(["estimate", input, "-t", bombTask, "-m", "m", "--no-store"]);
    expect(viaTask.code, viaTask.stderr).toBe(2);
    expect(viaTask.stderr).toContain(`${bombTask}: YAML aliases expand too far`);
    expect(viaTask.stderr).not.toMatch(/\n\s+at /);

    const viaModels = await runCli(["run", input, "-t", task, "-m", "m", "--models", bombModels, "--no-store", "--no-progress"], { env: { OPENAI_API_KEY: "sk-test" } });
    expect(viaModels.code, viaModels.stderr).toBe(2);
    expect(viaModels.stderr).toContain(`${bombModels}: YAML aliases expand too far`);
    expect(viaModels.stderr).not.toMatch(/\n\s+at /);
  });

  it("a task file over 1 MiB is refused before it is parsed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "big-task-"));
    const big = join(dir, "big.yaml");
    await writeFile(big, `${taskHead}padding: "${"a".repeat(2 * 1024 * 1024)}"\n`);
    const r = await runCli(["estimate", input, "-t", big, "-m", "m", "--no-store"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${big}: larger than 1 MiB`);
    expect(r.stdout).toBe("");
  });
});
