import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TestScheduler } from "rxjs/testing";
import { checkSample, confirmSample, cutRaw, isUnchecked, laterCheck, parse, parseLine } from "../../src/operators/parse.js";
import type { SourceLine } from "../../src/io/read-lines.js";
import type { SourceItem } from "../../src/types.js";

const at = (text: string, line = 7): SourceLine => ({ text, line, file: "data.jsonl" });

function reject(item: SourceItem) {
  if (item.kind !== "reject") throw new Error(`expected a reject, got ${JSON.stringify(item)}`);
  return item.reject;
}
function sample(item: SourceItem) {
  if (item.kind !== "sample") throw new Error(`expected a sample, got ${JSON.stringify(item)}`);
  return item.sample;
}

describe("parseLine", () => {
  it("makes a sample with the id field, the doc and its position", () => {
    expect(parseLine(at('{"id":"q1","question":"2+2?"}'))).toEqual({
      kind: "sample",
      sample: { id: "q1", doc: { id: "q1", question: "2+2?" }, at: { file: "data.jsonl", line: 7 } },
    });
  });

  it("converts a number id to a string", () => {
    expect(sample(parseLine(at('{"id":42}'))).id).toBe("42");
  });

  it("uses a hash of the content when the id field is missing, stable across key order", () => {
    const a = sample(parseLine(at('{"question":"2+2?","target":"4","meta":{"x":1,"y":[1,2]}}')));
    const b = sample(parseLine(at('{"target":"4","meta":{"y":[1,2],"x":1},"question":"2+2?"}')));
    expect(a.id).toMatch(/^h:[0-9a-f]{16}$/);
    expect(b.id).toBe(a.id);
    // Fixed value: the hash must not change between runs or versions (resume depends on it).
    // = sha1('{"meta":{"x":1,"y":[1,2]},"question":"2+2?","target":"4"}'), first 16 hex digits.
    expect(a.id).toBe("h:4d12573d7206999b");
    expect(sample(parseLine(at('{"question":"2+2?","target":"5"}'))).id).not.toBe(a.id);
  });

  it("reads the id from another field, or from a per-task field", () => {
    expect(sample(parseLine(at('{"doc_id":"d9"}'), "doc_id")).id).toBe("d9");
    const byTask = (task?: string) => (task === "mmlu" ? "qid" : "id");
    const s = sample(parseLine(at('{"task":"mmlu","qid":3,"id":"other"}'), byTask));
    expect(s).toMatchObject({ id: "3", task: "mmlu" });
    expect(sample(parseLine(at('{"qid":3,"id":"x"}'), byTask)).id).toBe("x");
  });

  it("sets sample.task from a string task field only", () => {
    expect(sample(parseLine(at('{"id":1,"task":"gsm8k"}'))).task).toBe("gsm8k");
    expect("task" in sample(parseLine(at('{"id":1,"task":7}')))).toBe(false);
    expect("task" in sample(parseLine(at('{"id":1}')))).toBe(false);
  });

  it("rejects an id field of the wrong type, naming the key", () => {
    expect(reject(parseLine(at('{"id":{"a":1}}')))).toEqual({
      at: { file: "data.jsonl", line: 7 },
      reason: "`id` must be a string or a number to be an id, got an object",
      raw: '{"id":{"a":1}}',
    });
    expect(reject(parseLine(at('{"uid":null}'), "uid")).reason).toBe("`uid` must be a string or a number to be an id, got null");
    expect(reject(parseLine(at('{"id":true}'))).reason).toBe("`id` must be a string or a number to be an id, got a boolean");
    expect(reject(parseLine(at('{"id":[1]}'))).reason).toBe("`id` must be a string or a number to be an id, got an array");
    expect(reject(parseLine(at('{"id":""}'))).reason).toBe("`id` is an empty string; an id must not be empty");
  });

  it("rejects bad JSON with a one-line reason, the column, and the line number", () => {
    const r = reject(parseLine(at('{"id":"a","q":}', 12)));
    expect(r.at).toEqual({ file: "data.jsonl", line: 12 });
    expect(r.reason).toBe("invalid JSON at column 15: Unexpected token '}'");
    expect(reject(parseLine(at('{"id":"a"'))).reason).toBe("invalid JSON at column 10: Expected ',' or '}' after property value");
    expect(reject(parseLine(at('{"id":1} trailing'))).reason).toBe(
      "invalid JSON at column 10: Unexpected non-whitespace character after JSON",
    );
    expect(reject(parseLine(at("{'id':1}"))).reason).toBe("invalid JSON at column 2: Expected property name or '}'");
  });

  it("keeps the reason short when the line is long", () => {
    const long = `{"text":"${"a".repeat(5000)}",}`;
    const r = reject(parseLine(at(long)));
    expect(r.reason).toBe(`invalid JSON at column ${long.length}: Expected double-quoted property name`);
    expect(r.reason).not.toContain("\n");
    expect(r.raw).toBe(long.slice(0, 200));
  });

  it("rejects JSON that is not an object", () => {
    expect(reject(parseLine(at("[1,2]"))).reason).toBe("expected a JSON object, got an array");
    expect(reject(parseLine(at("42"))).reason).toBe("expected a JSON object, got a number");
    expect(reject(parseLine(at("null"))).reason).toBe("expected a JSON object, got null");
    expect(reject(parseLine(at('"s"'))).reason).toBe("expected a JSON object, got a string");
  });

  it("rejects an over-long line from readLines", () => {
    const r = reject(parseLine({ text: "x".repeat(800), line: 3, file: "f", overflow: { bytes: 70_000_000, limit: 67_108_864 } }));
    expect(r).toEqual({
      at: { file: "f", line: 3 },
      reason: "line is 70000000 bytes, longer than the limit of 67108864 bytes",
      raw: "x".repeat(200),
    });
  });
});

describe("cutRaw", () => {
  it("cuts to 200 characters without splitting a surrogate pair", () => {
    expect(cutRaw("a".repeat(200))).toHaveLength(200);
    expect(cutRaw("a".repeat(201))).toHaveLength(200);
    expect(cutRaw("a".repeat(199) + "😀" + "b")).toBe("a".repeat(199));
  });
});

describe("parse operator", () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const lines = { a: at('{"id":"a"}', 1), b: at("not json", 2), c: at('{"id":"c"}', 3) };

  it("maps each line to one item, in order, and completes with the source", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold("a-b-c|", lines);
      expectObservable(source.pipe(parse())).toBe("a-b-c|", {
        a: parseLine(lines.a),
        b: parseLine(lines.b),
        c: parseLine(lines.c),
      });
    });
  });

  it("passes an empty source, a source error, and a never-ending source through", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<SourceLine>("|").pipe(parse())).toBe("|");
      expectObservable(cold("a-#", lines, new Error("io")).pipe(parse())).toBe("a-#", { a: parseLine(lines.a) }, new Error("io"));
      expectObservable(cold("a--", lines).pipe(parse()), "^-!").toBe("a--", { a: parseLine(lines.a) });
    });
  });

  it("uses the idField option", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const l = { x: at('{"key":"k1"}', 1) };
      expectObservable(cold("x|", l).pipe(parse({ idField: "key" }))).toBe("x|", { x: parseLine(l.x, "key") });
    });
    expect(parseLine(at('{"key":"k1"}'), "key")).toMatchObject({ sample: { id: "k1" } });
  });

  it("validates options when the factory is called", () => {
    expect(() => parse({ idField: "" })).toThrow('Expected `idField` to be a non-empty string or a function, got ""');
    expect(() => parse({ idField: 3 as unknown as string })).toThrow("Expected `idField` to be a non-empty string or a function, got 3");
  });
});

describe("parseLine memory", () => {
  // V8 (Node 20) interns every JSON string value of at most 10 characters: a table entry and an old-generation
  // string for each unique id or short answer, until a full collection (30 MB more at the peak of a million-line
  // run). A child process, for V8's own check (`%IsInternalizedString`, behind --allow-natives-syntax).
  it("does not intern a line's short strings (ids, answers), as JSON.parse does", () => {
    const src = new URL("../../src/operators/parse.ts", import.meta.url).pathname;
    const out = execFileSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", "-e", `
      const { parseLine } = await import(${JSON.stringify(src)});
      const interned = new Function("s", "return %IsInternalizedString(s)");
      const count = (parse) => { let n = 0; for (let i = 0; i < 100; i++) { const d = parse('{"id":"s' + (1000 + i) + '","target":"' + (1000 + i) + '","q":"a longer value than ten"}'); n += interned(d.id) + interned(d.target); } return n; };
      process.stdout.write(JSON.stringify([count(JSON.parse), count((text) => parseLine({ text, line: 1, file: 'f' }).sample.doc)]));`], { encoding: "utf8" });
    // JSON.parse interns all 200 here (the check itself works); parseLine none (single characters would be:
    // V8 keeps one string per character code).
    expect(JSON.parse(out)).toEqual([200, 0]);
  });
});

describe("parseLine with documents deferred (a resumed run)", () => {
  const keys = ["task", "id", "doc_id"];
  const idField = (task?: string) => (task === "other" ? "doc_id" : "id");
  /** What a sample is: its id, task, position, text hash and document (a deferred one's parsed when read). */
  const hasGetter = (s: object) => "get" in (Object.getOwnPropertyDescriptor(s, "doc") ?? {});
  const fields = (item: SourceItem) => (item.kind === "reject" ? item : { id: item.sample.id, task: item.sample.task, at: item.sample.at, textHash: item.sample.textHash, doc: item.sample.doc });

  it("makes the same item of any line as parsing it at once does", () => {
    const key = fc.constantFrom("id", "doc_id", "task", "q", "i\\u0064");
    const value = fc.oneof(fc.constantFrom("other", "gsm8k", "", "q\"1", 7, -0, 1e21, null, true, [1], { id: 1 }), fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(fc.dictionary(key, value), fc.constantFrom("", " ", "x", "\t"), (object, extra) => {
        const text = JSON.stringify(object).replace(/^\{/, `{${extra}`);
        expect(fields(parseLine(at(text), idField, true, keys))).toEqual(fields(parseLine(at(text), idField, true)));
      }),
      { numRuns: 2000 },
    );
  });

  it("parses a deferred sample's document only when it is read, and a copy keeps it", () => {
    const item = parseLine(at('{"id":"q1","task":"gsm8k","question":"2+2?"}'), "id", true, keys);
    const s = sample(item);
    expect(s.id).toBe("q1");
    expect(s.task).toBe("gsm8k");
    expect(hasGetter(s)).toBe(true);
    expect(s.doc).toEqual({ id: "q1", task: "gsm8k", question: "2+2?" });
    expect(s.doc).toBe(s.doc);
    expect({ ...s, id: "q1#2" }.doc).toEqual({ id: "q1", task: "gsm8k", question: "2+2?" });
    // Without a text hash (no checkpoint), or with an id made from the content, the line is parsed at once.
    expect(hasGetter(sample(parseLine(at('{"id":"q1"}'), "id", false, keys)))).toBe(false);
    expect(hasGetter(sample(parseLine(at('{"q":"no id"}'), "id", true, keys)))).toBe(false);
  });

  describe("lines left unchecked (checkLater)", () => {
    const later = laterCheck(idField, keys);
    /** The item a line left unchecked stands for, once checked. */
    const settled = (item: SourceItem) => (item.kind === "sample" ? checkSample(item) : item);

    it("stands, once checked, for the same item as parsing the line at once, for any line", () => {
      const key = fc.constantFrom("id", "doc_id", "task", "q", "i\\u0064");
      const value = fc.oneof(fc.constantFrom("other", "gsm8k", "", "q\"1", 7, -0, 1e21, null, true, [1], { id: 1 }), fc.string(), fc.jsonValue());
      // Lines that lead with their id and task, whole or cut short anywhere, or with a character changed.
      const line = fc.tuple(fc.constantFrom(["id"], ["task", "id"], ["doc_id", "task"]), fc.dictionary(key, value), fc.nat(), fc.constantFrom("", "x", "\t", '"', "}", "\\", "\u0001"));
      fc.assert(
        fc.property(line, ([lead, rest, cut, bad]) => {
          const head = lead.map((k) => `"${k}":${k === "task" ? '"other"' : JSON.stringify(`q${cut % 3}`)}`).join(",");
          const whole = `{${head}${Object.keys(rest).length > 0 ? "," : ""}${JSON.stringify(rest).slice(1)}`;
          for (const text of [whole, whole.slice(0, cut % (whole.length + 1)), whole.slice(0, cut % whole.length) + bad + whole.slice(cut % whole.length)]) {
            const eager = parseLine(at(text), idField, true);
            const lazy = parseLine(at(text), idField, true, keys, later);
            expect(fields(settled(lazy))).toEqual(fields(eager));
            // Checked once: asking again gives the same.
            expect(fields(settled(lazy))).toEqual(fields(eager));
          }
        }),
        { numRuns: 2000 },
      );
    });

    it("leaves a line that leads with its id unchecked, and its document unread until it is settled", () => {
      const good = parseLine(at('{"id":"q1","question":"2+2?"}'), idField, true, keys, later);
      expect(isUnchecked(sample(good))).toBe(true);
      expect(sample(good).id).toBe("q1");
      expect(() => sample(good).doc).toThrow(/before its line was checked/);
      expect(checkSample(good as SourceItem & { kind: "sample" })).toBe(good);
      expect(isUnchecked(sample(good))).toBe(false);
      expect(sample(good).doc).toEqual({ id: "q1", question: "2+2?" });

      const bad = parseLine(at('{"id":"q2","question":"2+2?'), idField, true, keys, later);
      expect(isUnchecked(sample(bad))).toBe(true);
      const rejected = checkSample(bad as SourceItem & { kind: "sample" });
      expect(reject(rejected).reason).toMatch(/JSON/);
      expect(checkSample(bad as SourceItem & { kind: "sample" })).toBe(rejected);

      // Found done (records made from its very text): settled without a check.
      const done = parseLine(at('{"id":"q3","question":"2+2?"}'), idField, true, keys, later);
      confirmSample(sample(done));
      expect(isUnchecked(sample(done))).toBe(false);
      expect(sample(done).doc).toEqual({ id: "q3", question: "2+2?" });

      // A line that does not lead with its id is scanned at once, as before; so is every line without the option.
      expect(isUnchecked(sample(parseLine(at('{"question":"2+2?","id":"q4"}'), idField, true, keys, later)))).toBe(false);
      expect(isUnchecked(sample(parseLine(at('{"id":"q5"}'), idField, true, keys)))).toBe(false);
    });
  });
});
