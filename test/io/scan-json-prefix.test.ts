import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leadingMembers } from "../../src/io/scan-json-prefix.js";

const KEYS = ["task", "id", "doc_id"];
const read = leadingMembers(KEYS)!;

/** Whether what the reader said of a JSON object's text is what JSON.parse makes of it (undefined: it did not say). */
function agrees(text: string): boolean {
  const found = read(text);
  if (found === undefined) return true;
  const value = JSON.parse(text) as Record<string, unknown>;
  return KEYS.every((key, i) => {
    const got = found[i];
    if (!Object.hasOwn(value, key)) return got === undefined;
    const v = value[key];
    if (typeof v === "number") return got?.kind === "number" && Object.is(got.value, v);
    return got?.kind === "string" && got.value === v;
  });
}

describe("leadingMembers", () => {
  it("reads the members a line leads with, and what comes after them not at all", () => {
    expect(read('{"id":"gsm8k-test-0-r0","question":"2+2? \\"id\\": 5\\n","answer":"4"}')).toEqual([undefined, { kind: "string", value: "gsm8k-test-0-r0" }, undefined]);
    expect(read('{"task": "gsm8k", "id": -1.5e3, "q": [1, {"x": 2}]}')).toEqual([{ kind: "string", value: "gsm8k" }, { kind: "number", value: -1500 }, undefined]);
    expect(read('{"id":"a","id":"b","x":1}')).toEqual([undefined, { kind: "string", value: "b" }, undefined]);
    expect(read('{"id":7}')).toEqual([undefined, { kind: "number", value: 7 }, undefined]);
    // Escapes in values, escaped quotes before a colon, a key ending in an escaped backslash: no key asked for.
    expect(read('{"id":"a","x":"\\u0041\\u0069d","y":"\\"id\\": 1","x\\\\":2}')?.[1]).toEqual({ kind: "string", value: "a" });
    // Not checked: a line that is not JSON after its leading members is read all the same (its caller checks it).
    expect(read('{"id":"q1","question":')).toEqual([undefined, { kind: "string", value: "q1" }, undefined]);
  });

  it("does not say where a key asked for may come again, or the members are not plain", () => {
    for (const text of [
      '{"id":"a","x":1,"id":"b"}',
      '{"id":"a","x":1,"task":"t"}',
      '{"id":"a","x":{"task":"t"}}',
      '{"id":"a","x":1, "doc_id" :2}',
      '{"id":"a","x":1,"\\u0074ask":"t"}',
      '{"id":"a","t\\u0061sk":"t"}',
      '{"id":"a","x":{"\\u0078" : 1}}',
      '{"id":"a","x":"\\"","i\\u0064":"b"}',
      '{"id":"a","x":1,"\t\\u0069d":"b"}',
      '{"id":"a\\"b","x":1}',
      '{"id":null}',
      '{"id":true}',
      '{"id":["a"]}',
      '{"task":{"a":1},"id":"a"}',
      ' {"id":"a"}',
      '{\t"id":"a"}',
      '{"id"\t:"a"}',
      '[{"id":"a"}]',
      '{"id":01}',
      '{"id":1.}',
      '{"id":"a"',
    ])
      expect(read(text), text).toBeUndefined();
  });

  it("reads no key it could not tell spelled with an escape", () => {
    expect(leadingMembers(["id", "a/b"])).toBeUndefined();
    expect(leadingMembers(['a"b'])).toBeUndefined();
    expect(leadingMembers(["a\\b"])).toBeUndefined();
    expect(leadingMembers(["é"])).toBeUndefined();
    expect(leadingMembers([""])).toBeUndefined();
    expect(leadingMembers(["doc id", "x-y_z.1"])).toBeDefined();
  });

  it("agrees with JSON.parse on any object it reads", () => {
    const key = fc.oneof(fc.constantFrom(...KEYS, "question", "i\u0064", "tas\u006b"), fc.string({ unit: fc.constantFrom("a", "i", "d", "t", "é", " ", '"', "\\") }));
    const value = fc.oneof(fc.jsonValue(), fc.string({ unit: fc.constantFrom("a", '"', "\\", ":", "é", "😀", "\n", ' "id": ', '"task":') }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
    // Written as JSON.stringify writes it, with spaces as Python's json.dumps writes them, or with keys escaped.
    const style = fc.constantFrom("plain", "spaced", "escaped", "tabbed");
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 6 }), style, (members, how) => {
        const write = (k: string) => (how === "escaped" && k.length > 0 ? `"\\u${k.charCodeAt(0).toString(16).padStart(4, "0")}${JSON.stringify(k.slice(1)).slice(1)}` : JSON.stringify(k));
        const sep = how === "spaced" ? [": ", ", "] : how === "tabbed" ? ["\t:", ",\t"] : [":", ","];
        const text = `{${members.map(([k, v]) => `${write(k)}${sep[0]}${JSON.stringify(v)}`).join(sep[1])}}`;
        expect(agrees(text)).toBe(true);
      }),
      { numRuns: 4000 },
    );
  });

  it("reads a line that leads with its id, as a resumed run's lines do, however it goes on", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.dictionary(fc.string(), fc.jsonValue()), (id, rest) => {
        const after = JSON.stringify(rest).slice(1, -1);
        const text = `{"id":${JSON.stringify(id)}${after && `,${after}`}}`;
        // Whatever follows, unless the id is written with an escape, or a key asked for, or one with an escape, may
        // come again (a quoted text before a colon, its closing quote not escaped).
        if (!JSON.stringify(id).includes("\\") && !/"(id|task|doc_id)"\s*:|"[^"]*\\[^"]*[^"\\]"\s*:/.test(after)) {
          expect(read(text)?.[1]).toEqual({ kind: "string", value: id });
        }
        expect(agrees(text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
