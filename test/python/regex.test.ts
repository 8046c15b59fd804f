import { describe, expect, it } from "vitest";
import { pyCompile, pyFindall, pySearch, pySub } from "../../src/python/re.js";
import { compilePythonRegex, translatePythonRegex } from "../../src/python/regex.js";

// Expected values are CPython 3.11's own output: re.findall(pattern, text) and re.sub(pattern, repl, text).
const FINDALL: [pattern: string, text: string, expected: (string | string[])[]][] = [["#### (\\-?[0-9\\.\\,]+)", "The answer is $1,234.\n#### 1,234", ["1,234"]], ["(-?[$0-9.,]{2,})|(-?[0-9]+)", "The answer is $1,234.", [["$1,234.", ""]]], ["(-?[$0-9.,]{2,})|(-?[0-9]+)", "first 5 then 7", [["", "5"], ["", "7"]]], ["(?s).*#### ", "a\nb #### 18", ["a\nb #### "]], ["\\.$", "18.\n", ["."]], ["^a", "a\na", ["a"]], ["(?m)^a$", "a\r\na\na", ["a", "a"]], ["a.c", "a\rc a\nc a\u2028c", ["a\rc", "a\u2028c"]], ["(?s)a.c", "a\nc", ["a\nc"]], ["\\bfoo\\b", "\u00e9foo foo", ["foo"]], ["\\Bo", "foo o", ["o", "o"]], ["\\w+", "h\u00e9llo w\u00f6rld_1 \u0663", ["h\u00e9llo", "w\u00f6rld_1", "\u0663"]], ["(?a)\\w+", "h\u00e9llo", ["h", "llo"]], ["\\d+", "12\u06634 x", ["12\u06634"]], ["\\s+", "a\u001cb\ufeffc\u0085d", ["\u001c", "\u0085"]], ["[]a]+", "]a]b", ["]a]"]], ["[^]a]+", "]ab", ["b"]], ["[\\w-]+", "a-b c", ["a-b", "c"]], ["[a\\-z]+", "a-z b", ["a-z"]], ["[-a]+", "-a b", ["-a"]], ["[a-]+", "-a b", ["-a"]], ["x{,2}", "xxx", ["xx", "x", ""]], ["x{}", "x{}", ["x{}"]], ["a{2}", "aaaaa", ["aa", "aa"]], ["a{2,}?", "aaaaa", ["aa", "aa"]], ["\\b|:+", "a::bc", ["", "", "::", "", ""]], ["a??", "aa", ["", "a", "", "a", ""]], ["\\s*", "a b", ["", " ", "", ""]], ["(?P<n>[ab])(?P=n)", "aabbab", ["a", "b"]], ["(a)|(b)", "ab", [["a", ""], ["", "b"]]], ["(?i)ABC", "abc AbC", ["abc", "AbC"]], ["(?x) a b # comment\\n c", "abc", ["ab"]], ["(?x)[ ]a\\ b", " a b", [" a b"]], ["\\Aab", "abab", ["ab"]], ["ab\\Z", "abab\n", []], ["ab$", "abab\n", ["ab"]], ["\\$\\d+", "cost $12 and $3", ["$12", "$3"]], ["(?#comment)x", "xx", ["x", "x"]], ["\\x41\\u0042\\101", "ABA", ["ABA"]], ["[\\d.]+", "1.5 and \u0663.2", ["1.5", "\u0663.2"]], ["(?s:a.)b", "a\nb", ["a\nb"]], ["\\S+", "a\u00a0b c", ["a", "b", "c"]], ["(\\d)\\1", "1122", ["1", "2"]], ["caf\\u00e9", "caf\u00e9", ["caf\u00e9"]], ["\ud83d\ude00+", "\ud83d\ude00\ud83d\ude00x", ["\ud83d\ude00\ud83d\ude00"]], [".", "\ud83d\ude00", ["\ud83d\ude00"]], ["{a}", "{a}", ["{a}"]], ["a}", "a}", ["a}"]], ["a]", "a]", ["a]"]], ["\\W+", "ab, cd", [", "]], ["[^\\W\\d]+", "ab12cd", ["ab", "cd"]], ["[\\s,]+", "a, b\u3000c", [", ", "\u3000"]], ["\\/\\#\\,", "/#,", ["/#,"]], ["(?:ab)+", "ababx", ["abab"]], ["(?<=\\$)\\d+", "$5 6", ["5"]], ["\\d+(?= dollars)", "5 dollars 6", ["5"]]];

const SUB: [pattern: string, repl: string, text: string, expected: string][] = [["(?s).*#### ", "", "x\n#### 1,234", "1,234"], [",", "", "1,234", "1234"], ["\\$", "", "$18", "18"], ["\\.$", "", "18.", "18"], ["x*", "-", "abxd", "-a-b--d-"], ["(a)|b", "[\\1]", "ab", "[a][]"], ["(?P<w>\\w+)", "<\\g<w>>", "hi you", "<hi> <you>"], ["a", "\\n\\t\\\\", "a", "\n\t\\"], ["\\s+", " ", "a \n b", "a b"], ["(a)", "\\g<0>\\g<1>", "a", "aa"], ["x", "\\&", "x", "\\&"]];

describe("Python regex translation", () => {
  it.each(FINDALL)("findall(%j, %j) matches CPython", (pattern, text, expected) => {
    expect(pyFindall(pyCompile(pattern), text)).toEqual(expected);
  });

  it.each(SUB)("sub(%j, %j, %j) matches CPython", (pattern, repl, text, expected) => {
    expect(pySub(pyCompile(pattern), text, repl)).toBe(expected);
  });

  it("turns leading inline flags into behaviour: (?s) lets . cross newlines, (?i) becomes the i flag", () => {
    expect(translatePythonRegex("(?s).*#### ")).toEqual({ source: "[\\s\\S]*#### ", flags: "v", groups: 0 });
    expect(translatePythonRegex("(?i)abc").flags).toBe("iv");
  });

  it("rewrites named groups and \\Z, and keeps group numbering", () => {
    const t = translatePythonRegex("(?P<year>\\d{4})-(\\d\\d)\\Z");
    expect(t.source).toBe("(?<year>\\p{Nd}{4})-(\\p{Nd}\\p{Nd})$");
    expect(t.groups).toBe(2);
    expect(pySearch(pyCompile("(?P<year>\\d{4})"), "in 2024")?.groups?.year).toBe("2024");
  });

  it("compiles to a RegExp that can take extra flags", () => {
    const re = compilePythonRegex("\\d+", "g");
    expect("a1b22".match(re)).toEqual(["1", "22"]);
  });

  it.each([
    ["a(?i)b", "global flags not at the start of the expression at position 1"],
    ["\\q", "bad escape \\q at position 0"],
    ["[a-\\d]", "bad character range at position 1"],
    ["[z-a]", "bad character range at position 1"],
    ["\\1(a)", "invalid group reference 1 at position 1"],
    ["(a)\\2", "invalid group reference 2 at position 4"],
    ["(?<n>a)", "unknown extension ?<n at position 1"],
    ["(?P<n>a)(?P<n>b)", "redefinition of group name 'n' as group 2; was group 1"],
    ["(?P=x)", "unknown group name 'x'"],
    ["(a", "missing ), unterminated subpattern"],
    ["a)", "unbalanced parenthesis"],
    ["[ab", "unterminated character set"],
    ["(?>a)", "atomic groups (?>...) are not supported"],
    ["a++", "possessive quantifiers are not supported"],
    ["(?i:a)b", "scoped case-insensitivity"],
    ["\\N{DASH}", "named characters are not supported"],
  ])("rejects %j as Python would (or as unsupported)", (pattern, message) => {
    expect(() => translatePythonRegex(pattern)).toThrow(SyntaxError);
    expect(() => translatePythonRegex(pattern)).toThrow(message);
  });

  it("reports JS-level errors with the Python pattern", () => {
    expect(() => pyCompile("*a")).toThrow(/Python pattern "\*a"/);
  });

  it("sub honours count", () => {
    expect(pySub(pyCompile("a"), "aaa", "b", 2)).toBe("bba");
  });
});
