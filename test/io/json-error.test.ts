import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeJsonError, jsonErrorPosition, shortMessage } from "../../src/io/json-error.js";

const parses = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** V8's own position, for the messages that have one. */
const v8Position = (s: string): number | undefined => {
  try {
    JSON.parse(s);
  } catch (e) {
    const m = /at position (\d+)/.exec((e as Error).message);
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
};

describe("jsonErrorPosition", () => {
  it.each([
    ['{"a":}', 5],
    ['{"a":1', 6],
    ["", 0],
    ["   ", 3],
    ['{"a":1} x', 8],
    ["[1,2,]", 5],
    ['{"a":1,}', 7],
    ["{'a':1}", 1],
    ['{"a":tru}', 8],
    ['{"a":"\\q"}', 7],
    ['{"a":"\\u12G4"}', 10],
    ['{"a":01}', 6],
    ['{"a":-}', 6],
    ['{"a":1.}', 7],
    ['{"a":1e}', 7],
    ['{"a":"x\ty"}', 7],
    ['{"a" 1}', 5],
    ["[[[[]]]", 7],
    ["NaN", 0],
  ])("finds the error in %j at %i", (text, pos) => {
    expect(parses(text)).toBe(false);
    expect(jsonErrorPosition(text)).toBe(pos);
  });

  it("says undefined for valid JSON, deep nesting included", () => {
    for (const ok of ['{"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]}', " [ ] ", '"x"', "0", "[{}]"]) {
      expect(jsonErrorPosition(ok)).toBeUndefined();
    }
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(jsonErrorPosition(deep)).toBeUndefined();
    expect(jsonErrorPosition(deep.slice(0, -1))).toBe(199_999);
  });

  it("agrees with JSON.parse on what is valid, and with V8's position where it gives one", () => {
    // Valid JSON with one character inserted, deleted or replaced: mostly invalid, sometimes not.
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom("ins", "del", "rep"), fc.constantFrom(..."{}[],:\"\\ 0-1.eEtfnu'x\n"))
      .map(([json, n, op, ch]) => {
        const i = json.length === 0 ? 0 : n % json.length;
        if (op === "ins") return json.slice(0, i) + ch + json.slice(i);
        if (op === "del") return json.slice(0, i) + json.slice(i + 1);
        return json.slice(0, i) + ch + json.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.json(), fc.string()), (text) => {
        expect(jsonErrorPosition(text) === undefined).toBe(parses(text));
        const v8 = v8Position(text);
        if (v8 !== undefined) expect(jsonErrorPosition(text)).toBe(v8);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("describeJsonError", () => {
  const describeOf = (text: string) => {
    try {
      JSON.parse(text);
    } catch (e) {
      return describeJsonError(text, e);
    }
    throw new Error("parsed");
  };

  it("gives the 1-based column and V8's first clause, without the echoed input", () => {
    expect(describeOf('{"a":}')).toBe("invalid JSON at column 6: Unexpected token '}'");
    expect(describeOf("")).toBe("invalid JSON at column 1: Unexpected end of JSON input");
    expect(describeOf('{"a":"\\q"}')).toBe("invalid JSON at column 8: Bad escaped character");
  });

  it("shortens any message to one line of at most 100 characters", () => {
    expect(shortMessage(new Error("a\nb  c"))).toBe("a b c");
    expect(shortMessage(new Error("x".repeat(300)))).toHaveLength(100);
    expect(shortMessage("plain")).toBe("plain");
  });
});
