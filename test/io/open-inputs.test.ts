import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/index.js";
import { countLines, openInputs } from "../../src/io/open-inputs.js";
import { readLines } from "../../src/io/read-lines.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streameval-inputs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const stdinOf = (text: string) => Readable.from([Buffer.from(text)]);

async function all(gen: AsyncIterable<{ text: string; line: number; file: string }>) {
  const out: string[] = [];
  for await (const l of gen) out.push(`${l.file}:${l.line}:${l.text}`);
  return out;
}

describe("openInputs", () => {
  it("reads the files in order, then stdin for -", async () => {
    const a = file("a.jsonl", '{"n":1}\n\n{"n":2}\n');
    const b = file("b.jsonl", '{"n":3}');
    expect(await all(openInputs([a, "-", b], stdinOf('{"s":1}\n')))).toEqual([
      `${a}:1:{"n":1}`,
      `${a}:3:{"n":2}`,
      '<stdin>:1:{"s":1}',
      `${b}:1:{"n":3}`,
    ]);
  });

  it("reads lines that span its 256 kB reads of a file whole (it reuses one buffer for them)", async () => {
    const long = `{"q":"${"é".repeat(300_000)}"}`;
    const short = Array.from({ length: 30_000 }, (_, i) => `{"id":"s${i}"}`);
    const a = file("long.jsonl", [...short, long, ...short, long].join("\n"));
    const texts = (await all(openInputs([a], stdinOf("")))).map((l) => l.slice(a.length + 1));
    expect(texts).toEqual([...short, long, ...short, long].map((t, i) => `${i + 1}:${t}`));
  });

  it("reads stdin when no path is given", async () => {
    expect(await all(openInputs([], stdinOf("x\r\ny")))).toEqual(["<stdin>:1:x", "<stdin>:2:y"]);
  });

  it("fails before the first line with a ConfigError naming a missing file", async () => {
    const a = file("a.jsonl", "{}\n");
    const missing = join(dir, "nope.jsonl");
    const gen = openInputs([a, missing], stdinOf(""));
    const error = await gen.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${missing}: input file not found`);
    expect((error as ConfigError).where).toEqual({ file: missing });
  });

  it("refuses a directory and stdin given twice", async () => {
    await expect(all(openInputs([dir], stdinOf("")))).rejects.toThrow(`${dir}: input is a directory, not a JSONL file`);
    await expect(all(openInputs(["-", "-"], stdinOf("")))).rejects.toThrow(ConfigError);
  });

  it("closes the file when the consumer stops early", async () => {
    const a = file("a.jsonl", "1\n2\n3\n");
    const gen = openInputs([a], stdinOf(""));
    expect((await gen.next()).value?.text).toBe("1");
    await gen.return(undefined);
    expect((await gen.next()).done).toBe(true);
  });
});

describe("countLines", () => {
  it("counts the lines readLines yields: blank lines out, a last line without newline in", async () => {
    const cases = [
      "",
      "\n",
      "a",
      "a\n",
      "a\nb",
      "a\n\n  \n\t\r\nb\r\n",
      "\uFEFF\n{}\n",
      "\uFEFFa",
      "\r\n\r\n",
      "x".repeat(3 * 1024 * 1024) + "\n\ny\n",
      "\n".repeat(2 * 1024 * 1024) + "z",
    ];
    for (const [i, text] of cases.entries()) {
      const path = file(`c${i}.jsonl`, text);
      let expected = 0;
      for await (const _ of readLines(Readable.from([Buffer.from(text)]), "x")) expected++;
      expect(await countLines(path), JSON.stringify(text.slice(0, 20))).toBe(expected);
    }
    expect(await countLines(file("n.jsonl", "1\n2\n3\n\n4\n"))).toBe(4);
  });

  it("names a missing file", async () => {
    await expect(countLines(join(dir, "missing.jsonl"))).rejects.toThrow(`${join(dir, "missing.jsonl")}: input file not found`);
  });
});
