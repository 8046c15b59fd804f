import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRejectsWriter } from "../../src/io/rejects-writer.js";
import type { Reject } from "../../src/types.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streameval-rejects-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rej = (line: number, reason: string, raw: string): Reject => ({ at: { file: "in.jsonl", line }, reason, raw });

describe("createRejectsWriter", () => {
  it("writes one JSON line per reject, in order, with file, line, reason and raw", async () => {
    const path = join(dir, "rejects.jsonl");
    const w = createRejectsWriter(path);
    w.write(rej(3, "invalid JSON at column 6: Unexpected token '}'", '{"a":}'));
    w.write(rej(9, "expected a JSON object, got an array", "[1]\u2028é"));
    expect(w.count).toBe(2);
    await w.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { file: "in.jsonl", line: 3, reason: "invalid JSON at column 6: Unexpected token '}'", raw: '{"a":}' },
      { file: "in.jsonl", line: 9, reason: "expected a JSON object, got an array", raw: "[1]\u2028é" },
    ]);
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(["file", "line", "reason", "raw"]);
  });

  it("creates neither the file nor its directory until the first reject", async () => {
    const path = join(dir, "run", "deep", "rejects.jsonl");
    const w = createRejectsWriter(path);
    expect(existsSync(join(dir, "run"))).toBe(false);
    await w.close();
    expect(existsSync(join(dir, "run"))).toBe(false);
    expect(w.count).toBe(0);

    const w2 = createRejectsWriter(path);
    w2.write(rej(1, "r", "x"));
    await w2.close();
    expect(readFileSync(path, "utf8")).toBe('{"file":"in.jsonl","line":1,"reason":"r","raw":"x"}\n');
  });

  it("replaces an existing file", async () => {
    const path = join(dir, "rejects.jsonl");
    writeFileSync(path, "old\nold\n");
    const w = createRejectsWriter(path);
    w.write(rej(1, "r", "x"));
    await w.close();
    expect(readFileSync(path, "utf8")).toBe('{"file":"in.jsonl","line":1,"reason":"r","raw":"x"}\n');
  });

  it("reports a failure to create the directory, and a closed writer refuses writes", async () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const w = createRejectsWriter(join(blocker, "rejects.jsonl"));
    expect(() => w.write(rej(1, "r", "x"))).toThrow(/EEXIST|ENOTDIR/);

    const ok = createRejectsWriter(join(dir, "r.jsonl"));
    await ok.close();
    await ok.close();
    expect(() => ok.write(rej(1, "r", "x"))).toThrow(/is closed/);
  });

  it("rejects close() with an error the file stream reported", async () => {
    // A directory where the file should be: opening it fails asynchronously.
    const w = createRejectsWriter(dir);
    w.write(rej(1, "r", "x"));
    await expect(w.close()).rejects.toThrow(/EISDIR/);
  });
});
