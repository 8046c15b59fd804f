import { describe, expect, it } from "vitest";
import { pyFloorDiv, pyMinus, pyNeg, pyPow, pyTrueDiv } from "../../src/python/arithmetic.js";
import { pyLiteralEval } from "../../src/python/literal.js";
import { PythonError } from "../../src/python/python-error.js";
import { pyStr } from "../../src/python/repr.js";
import { compileTemplate } from "../../src/tasks/template.js";

// Expected values: CPython 3.11's ast.literal_eval, str() and Jinja2 3.1 on the same input.
describe("pyLiteralEval (ast.literal_eval)", () => {
  it.each([
    ["['David Seville', 'Ross Bagdasarian']", ["David Seville", "Ross Bagdasarian"]],
    [`["it's", 'say "hi"', '\\n\\x41\\u00e9']`, ["it's", 'say "hi"', "\nAé"]],
    ["[1, -2.5, True, None, (3, 4), {'a': [1]}]", [1, -2.5, true, null, [3, 4], { a: [1] }]],
    ["['a' 'b', r'\\d']", ["ab", "\\d"]],
    ["[]", []],
  ])("%s", (text, value) => {
    expect(pyLiteralEval(text)).toEqual(value);
  });

  it.each(["[a, b]", "['x'", "[1] + [2]", "[f(x)]"])("refuses %s as Python does (ValueError/SyntaxError)", (text) => {
    expect(() => pyLiteralEval(text)).toThrow(SyntaxError);
  });
});

describe("Python arithmetic in templates", () => {
  it("true division is a float; // floors; ** of ints stays an int", () => {
    expect(pyStr(pyTrueDiv(2, 2))).toBe("1.0");
    expect(pyStr(pyTrueDiv(1, 4))).toBe("0.25");
    expect(pyStr(pyFloorDiv(7, 2))).toBe("3");
    expect(pyStr(pyFloorDiv(-7, 2))).toBe("-4");
    expect(pyStr(pyFloorDiv(pyTrueDiv(7, 1), 2))).toBe("3.0");
    expect(pyStr(pyPow(3, 2))).toBe("9");
    expect(pyStr(pyPow(2, -1))).toBe("0.5");
    expect(pyStr(pyMinus(pyTrueDiv(4, 2), 2))).toBe("0.0");
    expect(pyStr(pyNeg(pyTrueDiv(2, 1)))).toBe("-2.0");
  });

  it("a string operand or a zero divisor raises what Python raises", () => {
    expect(() => pyMinus("a", 1)).toThrow(new PythonError("unsupported operand type(s) for -: 'str' and 'int'"));
    expect(() => pyTrueDiv(1, 0)).toThrow(new PythonError("division by zero"));
    expect(() => pyNeg("x")).toThrow(new PythonError("bad operand type for unary -: 'str'"));
  });

  it("renders as Jinja does, and a type error names the template's key", () => {
    const t = compileTemplate("{{ answer / 2 }} {{ answer // 2 }} {{ (answer / 2) + 1 }} {{ answer ~ '' }}", { key: "doc_to_target" });
    expect(t.render({ answer: 2 })).toBe("1.0 1 2.0 2");
    const bad = compileTemplate("{{ answer - 1 }}", { key: "doc_to_text" });
    expect(() => bad.render({ answer: "x" })).toThrow(/unsupported operand type\(s\) for -: 'str' and 'int'/);
  });
});
