import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResultOutput } from "../../src/commands/result-output.js";
import { deferredResult, type ResultEvent, resumedResult } from "../../src/events.js";
import { decodeDone, encodeDone, encodeDoneLine } from "../../src/store/done-record.js";
import type { ResultFold, ResultLine } from "../../src/types.js";

/** What ResultOutput writes for `events`, as one string, after its turn ends. */
async function written(events: readonly [ResultEvent, ResultFold | undefined][]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const output = new ResultOutput((chunk) => chunks.push(Buffer.from(chunk)));
  for (const [event, fold] of events) output.add(event, fold);
  expect(chunks).toHaveLength(0);
  await new Promise((resolve) => setImmediate(resolve));
  expect(chunks).toHaveLength(1);
  return Buffer.concat(chunks);
}

/** The events a resume makes of a stored text: deferred (its fold not decoded) and not. */
function resumedEvents(stored: string): [ResultEvent, ResultFold | undefined][] {
  const record = decodeDone(stored);
  const line = JSON.parse(record.json) as ResultLine;
  const fold = record.fold === undefined ? line : (JSON.parse(record.fold) as ResultFold);
  const events: [ResultEvent, ResultFold | undefined][] = [[resumedResult(record.json, fold, record.fold === undefined ? line : undefined, 1, record), fold]];
  events.push([deferredResult(record, 1), undefined]);
  return events;
}

const line: ResultLine = { id: "q1", task: "t", model: "m", repeat: 0, status: "ok", input: 'say "hi"\n', response: "ok", target: "1", scores: { acc: 1 }, ended_at: "2026-01-01T00:00:00Z" };
const marked = (l: object) => `${JSON.stringify({ ...l, resumed: true })}\n`;

describe("ResultOutput", () => {
  it("writes a resumed line as JSON.stringify of the line marked resumed, byte for byte, from the stored text", async () => {
    const lines: object[] = [
      line,
      { ...line, input: "Janet’s ducks: café, naïve — 😀 \u0001 \\ \"q\" \t\u2028", response: "\ud800 lone" },
      { ...line, response: '{"resumed": false, "resumed":1}' },
      { ...line, scores: { acc: 1, resumed: 2 } },
      { ...line, resumed: false },
      { resumed: 0, ...line },
      { id: "only" },
    ];
    for (const l of lines) {
      const events = [...resumedEvents(encodeDoneLine(l, "a.b")), ...resumedEvents(encodeDone(JSON.stringify(l), "a.b")), ...resumedEvents(JSON.stringify(l))];
      expect((await written(events)).toString("utf8")).toBe(marked(l).repeat(events.length));
    }
    // A record holding no member at all.
    expect((await written(resumedEvents(encodeDone("{}", "a.b")))).toString()).toBe('{"resumed":true}\n'.repeat(2));
  });

  it("does so for any line a store could hold", async () => {
    const key = fc.oneof(fc.constantFrom("input", "response", "target", "id", "scores", "resumed", "0"), fc.string());
    const text = fc.string({ unit: fc.constantFrom("a", '"', "\\", "\n", "é", "’", "😀", "\ud800", ":", "resumed") });
    const value = fc.oneof(fc.jsonValue(), text, fc.dictionary(fc.constantFrom("resumed", "x"), text));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value), async (object) => {
        const events = resumedEvents(encodeDoneLine(object, "s-1_x.y@3"));
        expect((await written(events)).equals(Buffer.from(marked(object).repeat(events.length)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("writes a line made in the run at once, after the resumed lines before it; resumed lines a turn at a time", async () => {
    const chunks: string[] = [];
    const output = new ResultOutput((chunk) => chunks.push(chunk.toString()));
    const made = (id: string): ResultEvent => ({ type: "result", line: { ...line, id } });
    const again: ResultEvent = { type: "result", line: { ...line, id: "again" }, resumed: true };
    const [[first, fold]] = resumedEvents(encodeDoneLine(line, "a.b")) as [[ResultEvent, ResultFold]];
    output.add(made("m1"), undefined);
    expect(chunks).toEqual([`${JSON.stringify(made("m1").line)}\n`]);
    output.add(first, fold);
    output.add(again, undefined);
    expect(chunks).toHaveLength(1);
    output.add(made("m2"), undefined);
    expect(chunks).toEqual([`${JSON.stringify(made("m1").line)}\n`, `${marked(line)}${marked(again.line)}`, `${JSON.stringify(made("m2").line)}\n`]);
    output.add(first, fold);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(4);
    expect(chunks[3]).toBe(marked(line));
  });

  it("reuses a buffer only once its write is done", async () => {
    const held: { bytes: Buffer; done: () => void }[] = [];
    const output = new ResultOutput((bytes, done) => held.push({ bytes: bytes as Buffer, done: done! }));
    const turn = async (id: string) => {
      const [[event, fold]] = resumedEvents(encodeDoneLine({ ...line, id }, "a.b")) as [[ResultEvent, ResultFold]];
      output.add(event, fold);
      await new Promise((resolve) => setImmediate(resolve));
    };
    // Two turns while the first write is not done: the second is encoded elsewhere, the first kept intact.
    await turn("a");
    await turn("b");
    expect(held.map((h) => h.bytes.toString())).toEqual([marked({ ...line, id: "a" }), marked({ ...line, id: "b" })]);
    expect(held[0]!.bytes.buffer).not.toBe(held[1]!.bytes.buffer);
    // Once done, a buffer takes a later turn's lines.
    held[0]!.done();
    await turn("c");
    expect(held[2]!.bytes.buffer).toBe(held[0]!.bytes.buffer);
    expect(held[2]!.bytes.toString()).toBe(marked({ ...line, id: "c" }));
    expect(held[1]!.bytes.toString()).toBe(marked({ ...line, id: "b" }));
  });

  it("writes what was added when flushed, and nothing twice", async () => {
    const chunks: string[] = [];
    const output = new ResultOutput((chunk) => chunks.push(chunk.toString()));
    const [[event, fold]] = resumedEvents(encodeDoneLine(line, "a.b")) as [[ResultEvent, ResultFold]];
    output.add(event, fold);
    output.flush();
    expect(chunks).toEqual([marked(line)]);
    await new Promise((resolve) => setImmediate(resolve));
    output.flush();
    expect(chunks).toHaveLength(1);
  });
});
