import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanJsonLine } from "../../src/io/scan-json-line.js";

const KEYS = ["task", "id", "doc_id"];

/**
 * Whether what the scan said of `text` is true: undefined where JSON.parse makes no object of it; else each key's
 * value, a string as it is when written without escapes ("other" when written with one), a number as JSON.parse
 * makes it, "other" for anything else.
 */
function agrees(text: string, scanned: ReturnType<typeof scanJsonLine>, written: "plain" | "escaped" | "either"): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return scanned === undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return scanned === undefined;
  if (scanned === undefined) return false;
  return KEYS.every((key, i) => {
    const got = scanned[i];
    if (!Object.hasOwn(value, key)) return got === undefined;
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === "number") return got?.kind === "number" && Object.is(got.value, v);
    if (typeof v !== "string") return got?.kind === "other";
    // JSON.stringify writes a string with an escape exactly when its JSON holds a backslash.
    const escaped = written === "plain" ? JSON.stringify(v).includes("\\") : undefined;
    if (got?.kind === "string") return got.value === v && escaped !== true;
    return got?.kind === "other" && escaped !== false && (written !== "either" || text.includes("\\"));
  });
}

describe("scanJsonLine", () => {
  it("vouches for a JSON object and gives the values of the keys asked for", () => {
    expect(scanJsonLine('{"id":"q1","question":"2+2?\\n","task":"gsm8k","n":[1,{"id":2}]}', KEYS)).toEqual([{ kind: "string", value: "gsm8k" }, { kind: "string", value: "q1" }, undefined]);
    expect(scanJsonLine('{ "doc_id" : -1.5e3 , "id" : null }', KEYS)).toEqual([undefined, { kind: "other" }, { kind: "number", value: -1500 }]);
    expect(scanJsonLine('{"id":"a","id":7}', KEYS)).toEqual([undefined, { kind: "number", value: 7 }, undefined]);
    expect(scanJsonLine('{"id":"a\\"b"}', KEYS)).toEqual([undefined, { kind: "other" }, undefined]);
    expect(scanJsonLine("{}", KEYS)).toEqual([undefined, undefined, undefined]);
  });

  it("leaves to the parser what is not a JSON object, escaped top-level keys, and control characters", () => {
    for (const text of ["", "[]", '"x"', "1", "null", "{", '{"id":1', '{"id":1}x', '{"id":01}', '{"id":1.}', '{"a":"\\x"}', '{"a":"\\u12G4"}', '{"a":tru}', '{"a":1,}', '{"i\\u0064":"q"}', '{"a":"\t"}', '{"a":1}\t', '{"a":[1,]}', '{"a":{"b":1,}}', '{"a" 1}'])
      expect(scanJsonLine(text, KEYS)).toBeUndefined();
    const deep = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(scanJsonLine(deep, KEYS)).toBeUndefined();
  });

  it("agrees with JSON.parse on any object, and on any text", () => {
    // Keys without escapes (an escaped top-level key is left to the parser, below), values of any kind.
    const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ unit: fc.constantFrom("a", "i", "d", "é", " ") }));
    const value = fc.oneof(fc.jsonValue(), fc.string({ unit: fc.constantFrom("a", '"', "\\", "/", "é", "😀", "\n", "\u0001") }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.dictionary(key, value), (object) => {
        const text = JSON.stringify(object);
        expect(agrees(text, scanJsonLine(text, KEYS), "plain")).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: fc.constantFrom("i", "d", '"', "\\") }), fc.jsonValue()), (object) => {
        const text = JSON.stringify(object);
        const scanned = scanJsonLine(text, KEYS);
        if (scanned !== undefined || !/["\\]/.test(Object.keys(object).join(""))) expect(agrees(text, scanned, "plain")).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."{}[]:,\"\\ -+.0123456789eEtruefalsnu\u00e9", '"id"', '"task"', '"x"', "\\n") }), (text) => {
        const scanned = scanJsonLine(text, KEYS);
        // Whatever it vouches for, JSON.parse takes as the same object; what it leaves, JSON.parse may or may not.
        if (scanned !== undefined) expect(agrees(text, scanned, "either")).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
