import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAnswerKeyFile } from "../../src/sim/index.js";
import { GSM8K } from "./helpers.js";

describe("loadAnswerKeyFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sim-key-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it("reads GSM8K's question, id and target", async () => {
    const pairs = await loadAnswerKeyFile(GSM8K);
    expect(pairs.length).toBe(2 * 116);
    expect(pairs[1]).toEqual(["gsm8k-test-0", "18"]);
    expect(pairs[0]![0]).toMatch(/^Janet’s ducks lay 16 eggs per day/);
  });

  it("keys a line by its image's digest: a path relative to the key file, or base64 bytes; an unreadable one fails naming the line", async () => {
    const { createHash } = await import("node:crypto");
    await writeFile(join(dir, "pic.png"), "not really a png");
    const digest = createHash("sha256").update("not really a png").digest("hex");
    const bytes = Buffer.from("other bytes").toString("base64");
    const path = await file("img.jsonl", `${JSON.stringify({ id: "a", image: "pic.png", answer: "4" })}\n${JSON.stringify({ id: "b", image: { bytes }, answer: "5" })}\n`);
    expect(await loadAnswerKeyFile(path, { answer: "answer" })).toEqual([
      [`image_sha256:${digest}`, "4"],
      ["a", "4"],
      [`image_sha256:${createHash("sha256").update("other bytes").digest("hex")}`, "5"],
      ["b", "5"],
    ]);
    const bad = await file("bad.jsonl", `${JSON.stringify({ id: "a", image: "none.png", answer: "4" })}\n`);
    await expect(loadAnswerKeyFile(bad, { answer: "answer" })).rejects.toThrow(/line 1.*none\.png: ENOENT|none\.png: ENOENT/);
  });

  it("takes another answer field, turns numbers into strings, skips empty lines, accepts a BOM and CRLF", async () => {
    const path = await file("k.jsonl", '\uFEFF{"id":"a","question":"q one","answer":7}\r\n\r\n{"question":"q two","answer":"B"}\r\n');
    expect(await loadAnswerKeyFile(path, { answer: "answer" })).toEqual([
      ["q one", "7"],
      ["a", "7"],
      ["q two", "B"],
    ]);
  });

  it("names the file and line of a bad line", async () => {
    const path = await file("bad.jsonl", '{"id":"a","target":"1"}\n{"id":"b"}\n');
    await expect(loadAnswerKeyFile(path)).rejects.toThrow(`${path}:2: Expected field \`target\` to be a string or a number`);
    const notJson = await file("nj.jsonl", "{oops\n");
    await expect(loadAnswerKeyFile(notJson)).rejects.toThrow(`${notJson}:1: not valid JSON`);
    const noKey = await file("nk.jsonl", '{"target":"1"}\n');
    await expect(loadAnswerKeyFile(noKey)).rejects.toThrow(`${noKey}:1: Expected field \`question\`, \`id\` or \`image_sha256\` to be a non-empty string`);
  });

  it("keys a line by its image's digest (lowercased), before its question and id", async () => {
    const path = await file("img.jsonl", `{"image_sha256":"${"AB".repeat(32)}","question":"How many bars?","target":"4"}\n`);
    expect(await loadAnswerKeyFile(path)).toEqual([
      [`image_sha256:${"ab".repeat(32)}`, "4"],
      ["How many bars?", "4"],
    ]);
  });

  it("fails with a ConfigError for a missing file", async () => {
    await expect(loadAnswerKeyFile(join(dir, "missing.jsonl"))).rejects.toMatchObject({ name: "ConfigError" });
  });
});
