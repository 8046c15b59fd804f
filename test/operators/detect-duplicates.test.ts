import fc from "fast-check";
import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { TestScheduler } from "rxjs/testing";
import { checkSample, laterCheck, parseLine } from "../../src/operators/parse.js";
import { detectDuplicates, hash53 } from "../../src/operators/detect-duplicates.js";
import type { EventOf } from "../../src/events.js";
import type { SourceItem } from "../../src/types.js";

const s = (id: string, line: number, file = "a.jsonl", task?: string): SourceItem => ({
  kind: "sample",
  sample: { id, doc: { id }, at: { file, line }, ...(task ? { task } : {}) },
});
const r = (line: number): SourceItem => ({ kind: "reject", reject: { at: { file: "a.jsonl", line }, reason: "bad", raw: "x" } });

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe("detectDuplicates", () => {
  it("passes every item through unchanged and reports a repeated id with both positions", () => {
    const seen: Array<EventOf<"duplicate-id">> = [];
    const items = { a: s("x", 1), b: r(2), c: s("y", 3), d: s("x", 4, "b.jsonl"), e: s("x", 5) };
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("abcde|", items).pipe(detectDuplicates({ onDuplicate: (e) => seen.push(e) }));
      expectObservable(out).toBe("abcde|", items);
    });
    expect(seen).toEqual([
      { type: "duplicate-id", id: "x", at: { file: "b.jsonl", line: 4 }, first: { file: "a.jsonl", line: 1 } },
      { type: "duplicate-id", id: "x", at: { file: "a.jsonl", line: 5 }, first: { file: "a.jsonl", line: 1 } },
    ]);
  });

  it("reports the first position exactly across files, read in turn or interleaved, and near 2^32 lines", () => {
    const seen: Array<EventOf<"duplicate-id">> = [];
    // a.jsonl 1–3, then b.jsonl, then a.jsonl again beyond the room b.jsonl's numbering left it, and a line number near 2^32.
    const firsts = [s("a1", 1), s("a3", 3), s("b1", 1, "b.jsonl"), s("b9", 9, "b.jsonl"), s("a7", 7), s("c", 2 ** 32 - 2, "c.jsonl"), s("d", 2, "d.jsonl")];
    const repeats = ["a1", "a3", "b1", "b9", "a7", "c", "d"].map((id, i) => s(id, 100 + i, "z.jsonl"));
    scheduler().run(({ cold, expectObservable }) => {
      const marbles = `${"a".repeat(firsts.length + repeats.length)}|`;
      const out = cold(marbles.replace(/a/g, (_, i: number) => String.fromCharCode(65 + i)), Object.fromEntries([...firsts, ...repeats].map((item, i) => [String.fromCharCode(65 + i), item]))).pipe(detectDuplicates({ onDuplicate: (e) => seen.push(e) }));
      expectObservable(out.pipe()).toBe(marbles.replace(/a/g, (_, i: number) => String.fromCharCode(65 + i)), Object.fromEntries([...firsts, ...repeats].map((item, i) => [String.fromCharCode(65 + i), item])));
    });
    expect(seen.map((e) => [e.id, e.first])).toEqual(firsts.map((f) => [f.kind === "sample" ? f.sample.id : "", f.kind === "sample" ? f.sample.at : undefined]));
  });

  it("with distinctIds, gives a repeated id's later lines ids of their own and says which", () => {
    const seen: Array<EventOf<"duplicate-id">> = [];
    const items = { a: s("x", 1), d: s("x", 4, "b.jsonl"), e: s("x", 5) };
    // The id changes; the line's doc (and its own `id` field) does not.
    const renamed = (id: string, line: number, file: string): SourceItem => ({ kind: "sample", sample: { id, doc: { id: "x" }, at: { file, line } } });
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("ade|", items).pipe(detectDuplicates({ onDuplicate: (e) => seen.push(e), distinctIds: true }));
      expectObservable(out).toBe("ade|", { a: items.a, d: renamed("x@b.jsonl:4", 4, "b.jsonl"), e: renamed("x@a.jsonl:5", 5, "a.jsonl") });
    });
    expect(seen.map((e) => e.as)).toEqual(["x@b.jsonl:4", "x@a.jsonl:5"]);
  });

  it("keeps ids of different tasks apart", () => {
    const seen: string[] = [];
    const items = { a: s("1", 1, "f", "gsm8k"), b: s("1", 2, "f", "mmlu"), c: s("1", 3, "f"), d: s("1", 4, "f", "mmlu") };
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("abcd|", items).pipe(detectDuplicates({ onDuplicate: (e) => seen.push(`${e.id}@${e.at.line}<${e.first.line}`) }));
      expectObservable(out).toBe("abcd|", items);
    });
    expect(seen).toEqual(["1@4<2"]);
  });

  it("starts clean for each subscription", () => {
    const seen: number[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("ab|", { a: s("x", 1), b: s("x", 2) }).pipe(detectDuplicates({ onDuplicate: (e) => seen.push(e.at.line) }));
      expectObservable(out).toBe("ab|", { a: s("x", 1), b: s("x", 2) });
      expectObservable(out).toBe("ab|", { a: s("x", 1), b: s("x", 2) });
    });
    expect(seen).toEqual([2, 2]);
  });

  it("passes errors, empty and never-ending sources through", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const op = detectDuplicates({ onDuplicate: () => undefined });
      expectObservable(cold<SourceItem>("|").pipe(op)).toBe("|");
      expectObservable(cold("a#", { a: s("x", 1) }).pipe(op)).toBe("a#", { a: s("x", 1) });
      expectObservable(cold("a--", { a: s("x", 1) }).pipe(op), "^-!").toBe("a--", { a: s("x", 1) });
    });
  });

  it("errors the stream when onDuplicate throws", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("ab|", { a: s("x", 1), b: s("x", 2) }).pipe(
        detectDuplicates({
          onDuplicate: () => {
            throw new Error("listener");
          },
        }),
      );
      expectObservable(out).toBe("a#", { a: s("x", 1) }, new Error("listener"));
    });
  });

  it("stops remembering new ids at maxIds and says so once", () => {
    const seen: string[] = [];
    const full: number[] = [];
    const items = { a: s("1", 1), b: s("2", 2), c: s("3", 3), d: s("3", 4), e: s("1", 5) };
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("abcde|", items).pipe(
        detectDuplicates({ maxIds: 2, onDuplicate: (e) => seen.push(`${e.id}@${e.at.line}`), onCapacity: (n) => full.push(n) }),
      );
      expectObservable(out).toBe("abcde|", items);
    });
    expect(seen).toEqual(["1@5"]);
    expect(full).toEqual([2]);
  });

  it("with `forget`, drops the oldest generation of ids instead of the newest, so recent repeats are always reported", () => {
    const seen: string[] = [];
    const full: number[] = [];
    // maxIds 4: generations of 2. After 1,2 | 3,4 | 5 the ids 1 and 2 are forgotten.
    const items = { a: s("1", 1), b: s("2", 2), c: s("3", 3), d: s("4", 4), e: s("5", 5), f: s("4", 6), g: s("3", 7), h: s("1", 8), i: s("5", 9) };
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold("abcdefghi|", items).pipe(
        detectDuplicates({ maxIds: 4, forget: true, onDuplicate: (e) => seen.push(`${e.id}@${e.at.line}<${e.first.line}`), onCapacity: (n) => full.push(n) }),
      );
      expectObservable(out).toBe("abcdefghi|", items);
    });
    expect(seen).toEqual(["4@6<4", "3@7<3", "5@9<5"]);
    expect(full).toEqual([]);
  });

  it("validates options when the factory is called", () => {
    expect(() => detectDuplicates({} as never)).toThrow("Expected `onDuplicate` to be a function, got undefined");
    expect(() => detectDuplicates({ onDuplicate: () => undefined, maxIds: 0 })).toThrow("Expected `maxIds` to be an integer >= 1, got 0");
  });
});

describe("hash53", () => {
  it("is a deterministic 53-bit integer that tells close strings apart", () => {
    expect(hash53("gsm8k\u0000q1")).toBe(hash53("gsm8k\u0000q1"));
    const values = new Set<number>();
    for (let i = 0; i < 100_000; i++) values.add(hash53(`\u0000id-${i}`));
    expect(values.size).toBe(100_000);
    for (const v of [...values].slice(0, 100)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
  });
});

describe("detectDuplicates with lines left unchecked (parse's checkLater)", () => {
  const keys = ["task", "id"];
  const later = laterCheck("id", keys);
  /** What the operator made of a line: its item (id or reject reason) and the events, in order. */
  type Seen = (string | EventOf<"duplicate-id"> | { warning: number })[];

  /**
   * Runs `texts` through parse and detectDuplicates, the lines left unchecked or not, settling each item `lag` items
   * after it comes out (as resumeRecorded does, in order, after its lookups), and says what came out, in order.
   */
  function run(texts: readonly string[], unchecked: boolean, lag: number, maxIds?: number): Seen {
    const seen: Seen = [];
    const source = new Subject<SourceItem>();
    const waiting: SourceItem[] = [];
    const settle = () => {
      const item = waiting.shift()!;
      const settled = item.kind === "sample" ? checkSample(item) : item;
      seen.push(settled.kind === "sample" ? `${settled.sample.id} ${JSON.stringify(settled.sample.doc)}` : `reject ${settled.reject.at.line}: ${settled.reject.reason}`);
    };
    source.pipe(detectDuplicates({ onDuplicate: (e) => seen.push(e), distinctIds: true, ...(maxIds ? { maxIds, onCapacity: (n) => seen.push({ warning: n }) } : {}) })).subscribe((item) => {
      waiting.push(item);
      if (waiting.length > lag) settle();
    });
    texts.forEach((text, i) => source.next(unchecked ? parseLine({ text, line: i + 1, file: "a.jsonl" }, "id", true, keys, later) : parseLine({ text, line: i + 1, file: "a.jsonl" }, "id", true)));
    while (waiting.length > 0) settle();
    return seen;
  }

  it("reports the same repeats, keeps the same ids and rejects the same lines as checking every line first", () => {
    // Lines of a few ids, good or bad (cut short), leading with their id or not.
    const line = fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.constantFrom("good", "bad", "late", "task"), fc.nat(9));
    const text = ([id, kind, n]: [string, string, number]) =>
      kind === "good" ? `{"id":"${id}","n":${n}}` : kind === "bad" ? `{"id":"${id}","n":${n}` : kind === "late" ? `{"n":${n},"id":"${id}"}` : `{"id":"${id}","n":${n},"task":"t"}`;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.nat(12), fc.constantFrom(undefined, 1, 2, 3), (lines, lag, maxIds) => {
        const texts = lines.map(text);
        expect(run(texts, true, lag, maxIds)).toEqual(run(texts, false, lag, maxIds));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives a bad line's id to the next good line of it, as if the bad line had been rejected when read", () => {
    const texts = ['{"id":"a","n":1', '{"id":"b","n":2}', '{"id":"a","n":3}', '{"id":"a","n":4}'];
    for (const lag of [0, 1, 5]) {
      const seen = run(texts, true, lag);
      expect(seen.filter((s) => typeof s === "object" && "type" in s)).toEqual([{ type: "duplicate-id", id: "a", at: { file: "a.jsonl", line: 4 }, first: { file: "a.jsonl", line: 3 }, as: "a@a.jsonl:4" }]);
      expect(seen.filter((s) => typeof s === "string")).toEqual([expect.stringMatching(/^reject 1: /), 'b {"id":"b","n":2}', 'a {"id":"a","n":3}', 'a@a.jsonl:4 {"id":"a","n":4}']);
    }
  });
});
