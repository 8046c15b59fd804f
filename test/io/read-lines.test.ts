import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLines, type SourceLine } from "../../src/io/read-lines.js";

/** Feeds the given chunks one by one, counting how many were pulled. */
function chunks(parts: Array<string | Uint8Array>) {
  const state = { pulled: 0, returned: false };
  const iterable: AsyncIterable<string | Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (const p of parts) {
          state.pulled++;
          yield p;
        }
      } finally {
        state.returned = true;
      }
    },
  };
  return { iterable, state };
}

async function collect(input: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream, opts = {}): Promise<SourceLine[]> {
  const out: SourceLine[] = [];
  for await (const l of readLines(input, "f.jsonl", opts)) out.push(l);
  return out;
}

const pairs = (lines: SourceLine[]) => lines.map((l) => [l.line, l.text]);

/** The bytes of `text`, `size` at a time, each a view of one buffer overwritten by the next (as file-chunks.ts reads). */
async function* reusedBuffer(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  const buf = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.copy(buf, 0, at, Math.min(at + size, bytes.length));
    yield buf.subarray(0, n);
    buf.fill(0x21);
  }
}

describe("readLines", () => {
  it("yields lines with 1-based numbers and the file name", async () => {
    const lines = await collect(chunks(['{"a":1}\n{"a":2}\n']).iterable);
    expect(lines).toEqual([
      { text: '{"a":1}', line: 1, file: "f.jsonl" },
      { text: '{"a":2}', line: 2, file: "f.jsonl" },
    ]);
  });

  it("strips a UTF-8 BOM from the first line only", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n\uFEFF{"b":2}\n')]);
    expect(pairs(await collect(chunks([bytes]).iterable))).toEqual([
      [1, '{"a":1}'],
      [2, '\uFEFF{"b":2}'],
    ]);
    // The BOM split over three one-byte chunks.
    const split = chunks([Buffer.from([0xef]), Buffer.from([0xbb]), Buffer.from([0xbf]), Buffer.from('{"a":1}')]);
    expect(pairs(await collect(split.iterable))).toEqual([[1, '{"a":1}']]);
  });

  it("accepts CRLF endings, also when \\r and \\n fall in different chunks", async () => {
    expect(pairs(await collect(chunks(["a\r\nb\r\n"]).iterable))).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect(pairs(await collect(chunks(["a\r", "\nb\r", "\n"]).iterable))).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  it("skips blank lines but counts them", async () => {
    const lines = await collect(chunks(["\n\na\n \t\n\r\nb\n\n"]).iterable);
    expect(pairs(lines)).toEqual([
      [3, "a"],
      [6, "b"],
    ]);
  });

  it("yields a last line without a newline", async () => {
    expect(pairs(await collect(chunks(["a\nb"]).iterable))).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect(pairs(await collect(chunks(["a\nb", "c"]).iterable))).toEqual([
      [1, "a"],
      [2, "bc"],
    ]);
    expect(await collect(chunks([]).iterable)).toEqual([]);
    expect(await collect(chunks([""]).iterable)).toEqual([]);
  });

  it("decodes multibyte characters split across chunks at every byte boundary", async () => {
    const text = 'é€😀 {"k":"ü"}\nñ\n';
    const bytes = Buffer.from(text, "utf8");
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = await collect(chunks([bytes.subarray(0, cut), bytes.subarray(cut)]).iterable);
      expect(pairs(lines), `cut at byte ${cut}`).toEqual([
        [1, 'é€😀 {"k":"ü"}'],
        [2, "ñ"],
      ]);
    }
    // One byte per chunk.
    const single = [...bytes].map((b) => Uint8Array.of(b));
    expect(pairs(await collect(chunks(single).iterable))).toEqual([
      [1, 'é€😀 {"k":"ü"}'],
      [2, "ñ"],
    ]);
  });

  it("sets invalidUtf8 on a line whose bytes are not UTF-8, and not on one holding U+FFFD itself", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"\uFFFD"}\n{"b":"', "utf8"),
      Buffer.from([0xc3, 0x28, 0xff]), // a lead byte without its continuation, then a byte UTF-8 never uses
      Buffer.from('"}\n{"c":"é\uFFFD"}\n{"d":"', "utf8"),
      Buffer.from([0xed, 0xa0, 0x80]), // a surrogate encoded as UTF-8 (CESU-8), not UTF-8
      Buffer.from('"}\n', "utf8"),
    ]);
    const lines = await collect(chunks([bytes]).iterable);
    expect(lines.map((l) => [l.line, l.invalidUtf8?.column])).toEqual([
      [1, undefined],
      [2, 7],
      [3, undefined],
      [4, 7],
    ]);
    expect(lines[0]?.text).toBe('{"a":"\uFFFD"}');
  });

  it("rejoins a surrogate pair split across two text chunks", async () => {
    const emoji = "😀";
    const lines = await collect(chunks([`a${emoji[0]}`, `${emoji[1]}b\n`]).iterable);
    expect(pairs(lines)).toEqual([[1, "a😀b"]]);
  });

  it("keeps lines that span chunks whole when the source reuses one buffer for every chunk", async () => {
    const text = '{"id":"a","q":"é🙂 spans three chunks"}\r\n{"id":"b"}\n{"id":"c","q":"ü"}\r\n' + "x".repeat(40) + "\n";
    for (const size of [3, 5, 7, 16]) {
      expect(pairs(await collect(reusedBuffer(text, size))), `chunks of ${size}`).toEqual([
        [1, '{"id":"a","q":"é🙂 spans three chunks"}'],
        [2, '{"id":"b"}'],
        [3, '{"id":"c","q":"ü"}'],
        [4, "x".repeat(40)],
      ]);
    }
  });

  it("reads a 10 MB line from a stream in 64 KiB chunks", async () => {
    const big = JSON.stringify({ id: "big", text: "x".repeat(10 * 1024 * 1024) });
    const stream = Readable.from([Buffer.from(`{"id":"a"}\n${big}\n{"id":"b"}`)].flatMap((b) => split(b, 64 * 1024)));
    const lines = await collect(stream);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(lines[1]!.text.length).toBe(big.length);
    expect(lines[1]!.text).toBe(big);
    expect(lines[2]!.text).toBe('{"id":"b"}');
  });

  it("turns a line longer than maxLineBytes into an overflow item and reads on", async () => {
    const long = "y".repeat(5000);
    const lines = await collect(chunks(["a\n", long.slice(0, 1000), long.slice(1000), "\nb\n"]).iterable, { maxLineBytes: 100 });
    expect(lines.map((l) => [l.line, l.overflow])).toEqual([
      [1, undefined],
      [2, { bytes: 5000, limit: 100 }],
      [3, undefined],
    ]);
    expect(lines[1]!.text).toBe("y".repeat(800));
    // Inside a single chunk too, and a line of exactly the limit (plus \r) is kept.
    const inOne = await collect(chunks([`${"z".repeat(101)}\n${"w".repeat(100)}\r\nc`]).iterable, { maxLineBytes: 100 });
    expect(inOne.map((l) => [l.line, l.overflow?.bytes, l.text.length])).toEqual([
      [1, 101, 101],
      [2, undefined, 100],
      [3, undefined, 1],
    ]);
    // A last line without a newline, over the limit.
    const last = await collect(chunks(["a\n", "q".repeat(60), "q".repeat(60)]).iterable, { maxLineBytes: 100 });
    expect(last.map((l) => [l.line, l.overflow?.bytes])).toEqual([
      [1, undefined],
      [2, 120],
    ]);
  });

  it("validates maxLineBytes", async () => {
    await expect(collect(chunks(["a"]).iterable, { maxLineBytes: 0 })).rejects.toThrow(
      "Expected `maxLineBytes` to be an integer >= 1, got 0",
    );
  });

  it("pulls a chunk only when the consumer asks for a line the chunks read so far do not hold", async () => {
    const { iterable, state } = chunks(["a\nb\n", "c\n", "d\n", "e\n"]);
    const it = readLines(iterable, "f")[Symbol.asyncIterator]();
    expect(state.pulled).toBe(0);
    expect((await it.next()).value?.text).toBe("a");
    expect(state.pulled).toBe(1);
    expect((await it.next()).value?.text).toBe("b");
    expect(state.pulled).toBe(1);
    expect((await it.next()).value?.text).toBe("c");
    expect(state.pulled).toBe(2);
    // Returning early returns the input's iterator (which closes a file).
    await it.return(undefined);
    expect(state.returned).toBe(true);
    expect(state.pulled).toBe(2);
  });
});

function split(buf: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return parts;
}
