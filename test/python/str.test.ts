import { describe, expect, it } from "vitest";
import { PY_WHITESPACE, pyLstrip, pyRsplit, pyRstrip, pySplit, pyStrip } from "../../src/python/str.js";

// Expected values are CPython 3.11's: s.strip(c), s.split(sep, maxsplit) … on the same inputs.
const WS = " \t\u001c\u0085a b\u3000\ufeff";

describe("Python str helpers", () => {
  it.each([
    [WS, null, "a b\u3000\ufeff"],
    ["xxhixx", "x", "hi"],
    ["  a  ", null, "a"],
    ["abcba", "ab", "c"],
    ["", null, ""],
  ])("strip(%j, %j) = %j", (s, chars, expected) => {
    expect(pyStrip(s, chars)).toBe(expected);
  });

  it("lstrip/rstrip strip one side, with Python's whitespace (U+001C, U+0085 yes; U+FEFF no)", () => {
    expect(pyLstrip(WS)).toBe("a b\u3000\ufeff");
    expect(pyRstrip(WS)).toBe(WS);
    expect(pyLstrip("xxhix", "x")).toBe("hix");
    expect(pyRstrip("xhixx", "x")).toBe("xhi");
  });

  it.each([
    ["  a  b\tc\n", null, -1, ["a", "b", "c"]],
    ["a,b,,c", ",", -1, ["a", "b", "", "c"]],
    ["a,b,,c", ",", 1, ["a", "b,,c"]],
    ["a b  c  ", null, 1, ["a", "b  c  "]],
    ["", null, -1, []],
    ["", ",", -1, [""]],
    ["x####y####z", "####", -1, ["x", "y", "z"]],
    ["a\u001cb\u00a0c\ufeffd", null, -1, ["a", "b", "c\ufeffd"]],
  ] as const)("split(%j, %j, %j) = %j", (s, sep, max, expected) => {
    expect(pySplit(s, sep, max)).toEqual(expected);
  });

  it.each([
    ["  a b  c  ", null, 1, ["  a b", "c"]],
    ["a,b,c", ",", 1, ["a,b", "c"]],
    ["a,b,c", ",", -1, ["a", "b", "c"]],
  ] as const)("rsplit(%j, %j, %j) = %j", (s, sep, max, expected) => {
    expect(pyRsplit(s, sep, max)).toEqual(expected);
  });

  it("rejects an empty separator, as Python does", () => {
    expect(() => pySplit("abc", "")).toThrow("empty separator");
  });

  it("knows exactly Python's whitespace characters", () => {
    expect([...PY_WHITESPACE]).toHaveLength(29);
    expect(PY_WHITESPACE).not.toContain("\ufeff");
  });
});
