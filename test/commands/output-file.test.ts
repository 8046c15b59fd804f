import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openOutputFile } from "../../src/commands/output-file.js";

describe("openOutputFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "streameval-output-file-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("has the lines written in one turn in the file by the next turn, in order, before the stream ends", async () => {
    const path = join(dir, "sub", "out.jsonl");
    const out = await openOutputFile(path);
    out.write('{"a":1}\n');
    out.write(Buffer.from('{"b":"é"}\n'));
    out.write('{"c":"’"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await readFile(path, "utf8")).toBe('{"a":1}\n{"b":"é"}\n{"c":"’"}\n');
    // Many lines in one turn (more than the stream's buffer holds): all of them, each whole.
    const lines = Array.from({ length: 2000 }, (_, i) => `${JSON.stringify({ i, text: "x".repeat(i % 50) })}\n`);
    for (const line of lines) out.write(line);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await readFile(path, "utf8")).split("\n").length).toBe(3 + 2000 + 1);
    out.write("last\n");
    await new Promise<void>((resolve) => out.end(resolve));
    expect(await readFile(path, "utf8")).toBe(`{"a":1}\n{"b":"é"}\n{"c":"’"}\n${lines.join("")}last\n`);
  });
});
