import { describe, expect, it } from "vitest";
import { pyNumber, pyRepr, pyStr } from "../../src/python/repr.js";

// Expected values are CPython 3.11's str() / repr().
describe("Python str() and repr() of JSON values", () => {
  it.each([
    [1e-5, "1e-05"],
    [0.5, "0.5"],
    [1e16, "1e+16"],
    [123.456, "123.456"],
    [-0, "-0.0"],
    [1.5e-7, "1.5e-07"],
    [1e22, "1e+22"],
    [0.0001, "0.0001"],
    [3, "3"],
    [Number.NaN, "nan"],
    [-Infinity, "-inf"],
  ])("pyNumber(%s) = %s", (n, expected) => {
    expect(pyNumber(n)).toBe(expected);
  });

  it("prints integral JSON numbers as ints: JSON does not say 100 or 100.0", () => {
    expect(pyNumber(100)).toBe("100");
  });

  it.each([
    ["it's", `"it's"`],
    ['say "hi"', `'say "hi"'`],
    [`both ' and "`, `'both \\' and "'`],
    ["tab\tnl\n", "'tab\\tnl\\n'"],
    ["\u0000\u007f\u200b\u00a0\u00e9\u{1F600}", "'\\x00\\x7f\\u200b\\xa0\u00e9\u{1F600}'"],
    ["back\\slash", "'back\\\\slash'"],
  ])("repr(%j) = %s", (s, expected) => {
    expect(pyRepr(s)).toBe(expected);
  });

  it("prints containers, booleans and None as Python does", () => {
    expect(pyStr(["a", 1, true, null, { k: [0.5] }])).toBe("['a', 1, True, None, {'k': [0.5]}]");
    expect(pyStr("plain")).toBe("plain");
    expect(pyStr(undefined)).toBe("None");
  });
});
