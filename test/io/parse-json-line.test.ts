import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonLine } from "../../src/io/parse-json-line.js";

/** What JSON.parse does with `text`: its value, or its error's class and message. */
function jsonParse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}
function ours(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parseJsonLine(text) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe("parseJsonLine", () => {
  it("makes JSON.parse's value for every kind of JSON value", () => {
    const texts = [
      '{"id":"s1","question":"Tom has 3 apples","answer":"3 + 3 = 6\\n#### 6","target":"6"}',
      ' \t\r\n{ "a" : [ 1 , -0 , 0.5 , -12.5e-3 , 1E+400 , 123456789012345678901234567890 , true , false , null ] , "b" : { } , "c" : [ ] } \n',
      '{"esc":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\ud800 lone","x":"é€😀"}',
      '{"a":1,"a":2,"b":{"a":3},"2":"two","1":"one"}',
      '"just a string"',
      "42",
      "[[[[[]]]]]",
      "null",
      '{"":""}',
      '{"n":-0.0e0,"m":0e5,"k":1.0000000000000002}',
    ];
    for (const text of texts) expect(ours(text), text).toEqual(jsonParse(text));
    // Key order (integer keys first, then insertion order) and -0 are JSON.parse's too.
    expect(Object.keys(parseJsonLine('{"b":1,"2":0,"a":1,"1":0,"b":3}') as object)).toEqual(["1", "2", "b", "a"]);
    expect(Object.is((parseJsonLine('{"z":-0}') as { z: number }).z, -0)).toBe(true);
  });

  it("throws JSON.parse's own error for invalid text", () => {
    const texts = ["", " ", "{", '{"a":1,}', "[1,]", "{'a':1}", '{"a" 1}', "01", "1.", ".5", "-", "1e", "+1", "NaN", "tru", "nul", '"\\x"', '"\\u12G4"', '"a\tb"', '"open', '{"a":1} x', '{"a":1}{"b":2}', "[1 2]", '{"a":undefined}'];
    for (const text of texts) {
      const expected = jsonParse(text);
      expect("error" in expected, text).toBe(true);
      expect(ours(text), text).toEqual(expected);
    }
  });

  it("makes a __proto__ key an own property, as JSON.parse does, not the prototype", () => {
    const value = parseJsonLine('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    expect(value).toEqual(JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
  });

  it("hands nesting deeper than the stack to JSON.parse", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    let depth = 0;
    for (let v = parseJsonLine(deep); Array.isArray(v) && v.length > 0; v = v[0] as unknown) depth++;
    expect(depth).toBe(100_000 - 1);
    expect(ours(`${deep},`)).toEqual(jsonParse(`${deep},`));
  });

  it("agrees with JSON.parse on any JSON value, and on any text", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom("", " ", "\n\t"), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(ours(text)).toEqual(jsonParse(text));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."{}[]:,\"\\ -+.0123456789eEtruefalsn\u00e9\n") }), (text) => {
        expect(ours(text)).toEqual(jsonParse(text));
      }),
      { numRuns: 2000 },
    );
  });

  // A slice of 13 characters or more is a view of its parent in V8: a kept id would hold on to its whole line.
  it("makes strings of their own: an id kept after its line holds on to nothing else", () => {
    const src = new URL("../../src/io/parse-json-line.ts", import.meta.url).pathname;
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "-e", `
      const { parseJsonLine } = await import(${JSON.stringify(src)});
      const kept = (parse) => {
        gc();
        const before = process.memoryUsage().heapUsed;
        const ids = [];
        for (let i = 0; i < 100; i++) ids.push(parse(JSON.stringify({ id: "sample-with-a-long-id-" + i, text: String(i).repeat(100000) })).id);
        gc();
        return Math.round((process.memoryUsage().heapUsed - before) / 2 ** 20);
      };
      process.stdout.write(JSON.stringify([kept(parseJsonLine), kept(JSON.parse)]));`], { encoding: "utf8" });
    const [ours, theirs] = JSON.parse(out) as [number, number];
    // 100 lines of 100-300 kB: kept whole, that would be over 20 MB.
    expect(ours).toBeLessThan(2);
    expect(theirs).toBeLessThan(2);
  });

  it("agrees with JSON.parse line after line on texts without control characters (strings found by indexOf, keys reused)", () => {
    // Keys alike in length and first character (`ab`/`ac`), escaped keys and values, quotes and backslashes next to each other.
    const unit = fc.constantFrom(..."abc\"\\/u00e9 {}[]:,", "\\n", '\\"', "\\u0041", "é", "😀");
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.constantFrom("ab", "ac", "a\"b", "id", "i\\d", "", "bb", "a_long_key_of_twenty"), fc.oneof(fc.string({ unit }), fc.integer(), fc.jsonValue())), { minLength: 1, maxLength: 5 }), (docs) => {
        for (const doc of docs) {
          const text = JSON.stringify(doc);
          expect(ours(text), text).toEqual(jsonParse(text));
          expect(Object.keys(parseJsonLine(text) as object)).toEqual(Object.keys(JSON.parse(text) as object));
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."{}[]:,\"\\ -.0123456789eEtruefalsnu\u00e9") }), (text) => {
        expect(ours(text)).toEqual(jsonParse(text));
      }),
      { numRuns: 2000 },
    );
  });
});
