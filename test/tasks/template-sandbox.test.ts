import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, TaskInputError } from "../../src/errors/index.js";
import { compileTemplate } from "../../src/tasks/template.js";

// A template that reached JavaScript would run this: it sets a global the tests look for. Its result is
// built at run time, so the payload's own text (which a template may print as data) never contains it.
const PAYLOAD = `"globalThis.__pwned = (globalThis.__pwned || 0) + 1; return 'PW' + 'NED'"`;
const pwned = (): unknown => (globalThis as Record<string, unknown>).__pwned;

/** Renders, and tells what came out: the text, or the kind of error (anything else is a failure). */
function attempt(source: string, doc: Record<string, unknown> = {}): string {
  try {
    return compileTemplate(source).render(doc);
  } catch (e) {
    if (e instanceof TaskInputError || e instanceof ConfigError) return `<${e.name}>`;
    throw e;
  }
}

/** What no render may ever produce: the payload's result, a function's source, a prototype's members. */
function expectContained(out: string): void {
  expect(pwned()).toBeUndefined();
  expect(out).not.toContain("PWNED");
  expect(out).not.toContain("[native code]");
  expect(out).not.toMatch(/function\s*\w*\s*\(/);
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>).__pwned;
});

describe("task templates cannot reach JavaScript", () => {
  it.each([
    // The two escapes of issue 21: a dict literal with a `__proto__` key, then an inherited `constructor`.
    `{% set f = ({'__proto__': range}).constructor %}{{ f(${PAYLOAD})() or '' }}`,
    `{% set k="constructor" %}{{ ({"__proto__": range})[k](${PAYLOAD})() }}`,
    // Variants through constructs the Python rewrite does not visit: macro defaults, switch, filter blocks.
    `{% macro m(a=range.constructor) %}{{ a(${PAYLOAD})() }}{% endmacro %}{{ m() }}`,
    `{% switch 1 %}{% case 1 %}{{ range.constructor(${PAYLOAD})() }}{% endswitch %}`,
    `{% filter upper %}{{ range.constructor(${PAYLOAD})() }}{% endfilter %}`,
    // A macro argument named like an inherited member, with and without keyword arguments.
    `{% macro m(constructor) %}{{ constructor.constructor(${PAYLOAD})() }}{% endmacro %}{{ m() }}`,
    `{% macro m(x) %}{{ x.constructor(${PAYLOAD})() }}{% endmacro %}{{ m(__proto__=range) }}`,
    // Bare names that are inherited members of the context, frames and globals.
    `{{ constructor(${PAYLOAD}) }}`,
    `{{ (constructor | default(1)).constructor(${PAYLOAD})() }}`,
    `{{ (valueOf | default(1))().env }}`,
    `{{ __proto__.constructor.constructor(${PAYLOAD})() }}`,
    // Objects nunjucks gives a template (cycler, joiner, macro output) expose no inherited members.
    `{% set c = cycler(1) %}{{ c.next.constructor(${PAYLOAD})() }}`,
    `{% set c = cycler(1) %}{{ c['__proto__']['constructor']['constructor'](${PAYLOAD})() }}`,
    `{{ joiner().constructor(${PAYLOAD})() }}`,
    `{% macro m() %}x{% endmacro %}{{ m().constructor.constructor(${PAYLOAD})() }}`,
  ])("%s renders data or fails as a sample error", (source) => {
    expectContained(attempt(source));
  });

  it("reads __proto__, constructor and prototype as ordinary keys of data", () => {
    const doc = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "prototype": [1]}') as Record<string, unknown>;
    expect(attempt("{{ __proto__ }} {{ constructor }} {{ prototype }} {{ x is defined }}", doc)).toBe("{'x': 1} c [1] False");
    expect(attempt("{{ {'__proto__': 1, 'a': 2} }} {{ {'__proto__': 1}['__proto__'] }} {{ {'__proto__': 1} | length }}")).toBe(
      "{'__proto__': 1, 'a': 2} 1 1",
    );
    expect(attempt("{{ toString is defined }} {{ d.hasOwnProperty is defined }} {{ d.keys() | list }}", { d: { a: 1 } })).toBe("False False ['a']");
    expect(attempt("{{ toString }}")).toBe("<TaskInputError>");
  });

  it("keeps what task templates use: macros with keyword arguments, cycler, joiner, loop, caller, top-level set", () => {
    const source =
      "{% set top = 'T' %}{% macro m(a, b=2) %}{{ a }}{{ b }}{{ top }}{% endmacro %}{% set c = cycler('x', 'y') %}{% set j = joiner('|') %}" +
      "{% for i in xs %}{{ j() }}{{ c.next() }}{{ loop.index }}{% endfor %};{{ m(1, b=5) | string }};{{ range(2) | list }}";
    // (How a macro's output prints, markup as Python's str(), is another matter: only its text is checked.)
    expect(attempt(source, { xs: [7, 8] })).toMatch(/^x1\|y2;.*15T.*;\[0, 1\]$/);
  });

  // Every syntactic way to reach a member × every prototype-ish name × every way to use the result.
  const PROTO_NAMES = ["constructor", "__proto__", "prototype", "toString", "valueOf", "__defineGetter__", "__lookupGetter__",
    "hasOwnProperty", "call", "apply", "bind", "caller", "arguments", "name", "length", "ctx", "env", "globals"];
  const BASES = ["range", "cycler", "joiner", "q", "xs", "d", "{}", "{'__proto__': range}", "{'__proto__': d}", "[]", "''", "0",
    "(range | default(1))", "(nope | default(range))", "m", "m()", "loop", "caller", "c", "c.next", "__proto__", "constructor", "toString"];
  const access = fc.oneof(
    fc.constantFrom(...PROTO_NAMES).map((n) => `.${n}`),
    fc.constantFrom(...PROTO_NAMES).map((n) => `['${n}']`),
    fc.constantFrom(...PROTO_NAMES).map((n) => `[k_${n}]`),
    fc.constant("()"),
    fc.constant(`(${PAYLOAD})`),
  );
  const expression = fc.tuple(fc.constantFrom(...BASES), fc.array(access, { minLength: 1, maxLength: 4 })).map(([b, xs]) => `${b}${xs.join("")}`);
  const usage = fc.constantFrom(
    (e: string) => `{{ ${e} }}`,
    (e: string) => `{{ ${e}(${PAYLOAD})() }}`,
    (e: string) => `{% set f = ${e} %}{{ f(${PAYLOAD})() }}`,
    (e: string) => `{% macro mm(a=${e}) %}{{ a(${PAYLOAD})() }}{% endmacro %}{{ mm() }}`,
    (e: string) => `{{ m(__proto__=${e}) }}`,
    (e: string) => `{% switch 1 %}{% case 1 %}{{ ${e}(${PAYLOAD})() }}{% endswitch %}`,
    (e: string) => `{% for x in [${e}] %}{{ x(${PAYLOAD})() }}{% endfor %}`,
    (e: string) => `{{ (${e}) | default(1) }}{{ ${e} is defined }}`,
  );
  const prelude =
    PROTO_NAMES.map((n) => `{% set k_${n} = '${n}' %}`).join("") +
    "{% macro m(x) %}{{ x }}{% endmacro %}{% set c = cycler(1, 2) %}";

  it("no combination of syntax and prototype names reaches a function constructor (fuzz)", () => {
    const doc = { q: "text", xs: [1], d: { a: 1 } };
    fc.assert(
      fc.property(expression, usage, (e, use) => {
        const out = attempt(`${prelude}{% for _ in [1] %}${use(e)}{% endfor %}`, doc);
        expectContained(out);
      }),
      { numRuns: 250 },
    );
  });
});
