import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileChunks } from "../../src/io/file-chunks.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-file-chunks-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("fileChunks", () => {
  it("reads the whole file, every chunk a view of one buffer", async () => {
    const path = join(dir, "in.jsonl");
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => `{"id":"s${i}"}\n`).join(""));
    await writeFile(path, bytes);
    const copies: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of fileChunks(path, 64)) {
      expect(chunk.length).toBeLessThanOrEqual(64);
      buffers.add(chunk.buffer);
      copies.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(copies).equals(bytes)).toBe(true);
    expect(copies.length).toBe(Math.ceil(bytes.length / 64));
    expect(buffers.size).toBe(1);
  });

  it("throws the signal's reason before the next read once it is aborted", async () => {
    const path = join(dir, "in.txt");
    await writeFile(path, "x".repeat(1000));
    const controller = new AbortController();
    let chunks = 0;
    await expect(
      (async () => {
        for await (const _ of fileChunks(path, 100, controller.signal)) {
          if (++chunks === 2) controller.abort(new Error("stopped"));
        }
      })(),
    ).rejects.toThrow("stopped");
    expect(chunks).toBe(2);
  });

  it("rejects for a file that is not there", async () => {
    await expect(fileChunks(join(dir, "missing"), 64).next()).rejects.toMatchObject({ code: "ENOENT" });
  });
});
