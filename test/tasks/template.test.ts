import { describe, expect, it } from "vitest";
import { ConfigError, TaskInputError } from "../../src/errors/index.js";
import { compileTemplate, compileValueTemplate } from "../../src/tasks/template.js";

// Expected renders are Jinja2 3.1's, configured as lm-eval configures it: StrictUndefined,
// keep_trailing_newline, plus its regex_replace filter, rendering the same templates on the same doc.
const DOC = {"question": "  How many?  ", "answer": "Step 1.\n#### 1,234", "choices": ["red", "green", "blue"], "label": 2, "d": {"label": ["A", "B"], "text": ["x", "y"]}, "f": 0.5, "flag": true, "nul": null, "empty": [], "n": 3, "s": "a,b,,c", "u": "h\u00e9\ud83d\ude00llo"};

const CASES: [template: string, expected: string][] = [
  [
    "Question: {{question}}\nAnswer:",
    "Question:   How many?  \nAnswer:"
  ],
  [
    "{{question.strip()}}|{{question.lstrip()}}|{{question.rstrip()}}",
    "How many?|How many?  |  How many?"
  ],
  [
    "{{answer.split('####')[-1].strip()}}",
    "1,234"
  ],
  [
    "{{answer.split('####')[-1].strip() if answer is defined else target}}",
    "1,234"
  ],
  [
    "{{ s.split(',') }} {{ s.split(',', 1) }} {{ s.rsplit(',', 1) }} {{ 'a  b'.split() }}",
    "['a', 'b', '', 'c'] ['a', 'b,,c'] ['a,b,', 'c'] ['a', 'b']"
  ],
  [
    "{{ question.lower() }}{{ question.upper() }}{{ 'hello world'.title() }}{{ 'hELLO'.capitalize() }}",
    "  how many?    HOW MANY?  Hello WorldHello"
  ],
  [
    "{{ s.replace(',', ';') }} {{ s.replace(',', '', 1) }} {{ ', '.join(choices) }} {{ '-'.join('abc') }}",
    "a;b;;c ab,,c red, green, blue a-b-c"
  ],
  [
    "{{ question.strip().startswith('How') }} {{ question.endswith(('?', '  ')) }} {{ s.find('b') }} {{ s.count(',') }} {{ u.find('l') }}",
    "True True 2 3 3"
  ],
  [
    "{{ choices[0] }} {{ choices[-1] }} {{ choices[1:] }} {{ choices[::-1] }} {{ u[2] }} {{ u[1:3] }} {{ u[-1] }}",
    "red blue ['green', 'blue'] ['blue', 'green', 'red'] \ud83d\ude00 \u00e9\ud83d\ude00 o"
  ],
  [
    "{{ choices[label] }} {{ d.label[1] }} {{ d['text'][-1] }} {{ d.get('label') }} {{ d.get('nope', 'dflt') }} {{ d.keys() | list }}",
    "blue B y ['A', 'B'] dflt ['label', 'text']"
  ],
  [
    "{% for c in choices %}{{ loop.index }}. {{ c }}\n{% endfor %}Answer:",
    "1. red\n2. green\n3. blue\nAnswer:"
  ],
  [
    "{{ choices }} {{ flag }} {{ nul }} {{ f }} {{ n }} {{ d }}",
    "['red', 'green', 'blue'] True None 0.5 3 {'label': ['A', 'B'], 'text': ['x', 'y']}"
  ],
  [
    "{{ '=' * 3 }}{{ [] or 'x' }}{{ 1 == true }}{{ 'a' in choices }}{{ 'red' in choices }}{{ 'k' in 'okay' }}",
    "===xTrueFalseTrueTrue"
  ],
  [
    "{{ 'yes' if empty else 'no' }} {{ not empty }} {{ x | default('dflt') }} {% if x is not defined %}nd{% endif %}",
    "no True dflt nd"
  ],
  [
    "{{ True }} {{ None }} {{ 7 % -3 }} {{ 'a' ~ 1 ~ none }} {{ 2 ** 3 }} {{ 7 // 2 }} {{ n + 1 }} {{ choices + ['x'] }}",
    "True None -2 a1None 8 3 4 ['red', 'green', 'blue', 'x']"
  ],
  [
    "{{ choices | length }} {{ u | length }} {{ choices | join(', ') }} {{ [1, 2] | join('+') }} {{ question | trim }} {{ '42' | int + 1 }} {{ '3.7' | int }} {{ 'x' | int }} {{ '2.5' | float }}",
    "3 6 red, green, blue 1+2 How many? 43 3 0 2.5"
  ],
  [
    "{{ answer | regex_replace('(?s).*#### ', '') }} {{ 'a1b22' | regex_replace('\\\\d+', '#') }}",
    "1,234 a#b#"
  ],
  [
    "{{ choices.index('blue') }} {{ 'A' if label == 0 else 'B' if label == 1 else 'C' }} {{ label > 1 and label < 3 }} {{ n is divisibleby 3 }}",
    "2 C True True"
  ],
  [
    "{%- set q = question.strip() -%}\n{{ q }}\n",
    "How many?\n"
  ],
  [
    "{{ 'x'.zfill(3) }}{{ '-4'.zfill(4) }}{{ 'ab'.center(5, '*') }}{{ 'ab'.ljust(4, '.') }}{{ 'ab'.rjust(4) }}",
    "00x-004**ab*ab..  ab"
  ],
  [
    "{{ 'a\\nb\\r\\nc'.splitlines() }} {{ 'key: value'.partition(': ')[2] }} {{ 'prefix_x'.removeprefix('prefix_') }} {{ '123'.isdigit() }} {{ 'ab1'.isalpha() }}",
    "['a', 'b', 'c'] value x True False"
  ],
  [
    // Float literals stay floats (printed as Python prints them), exponents included.
    "{{ n * 1.0 }} {{ 1e-5 }} {{ 1E5 }} {{ 2.5e3 }} {{ 1.5e-3 * 2 }} {{ 0.5 + 0.5 }} {{ [1.0, 2][0] }} {{ 3 - 1.0 }} {{ -1.0 }} {{ 1.0 is float }} {{ 1 is float }} {{ 1e+2 }}",
    "3.0 1e-05 100000.0 2500.0 0.003 1.0 1.0 2.0 -1.0 True False 100.0"
  ],
  [
    "{{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }} {{ [1, 2] < [1, 3] }} {{ 'b' > 'a' }}",
    "True False True True"
  ],
  [
    "{% for k, v in d.items() %}{{k}}={{v}};{% endfor %}{% for k in d %}{{k}};{% endfor %}{% for c in u %}{{c}}-{% endfor %}",
    "label=['A', 'B'];text=['x', 'y'];label;text;h-\u00e9-\ud83d\ude00-l-l-o-"
  ]
];

describe("Jinja templates with Python semantics", () => {
  it.each(CASES)("%j renders as Jinja2 does", (template, expected) => {
    expect(compileTemplate(template).render(DOC)).toBe(expected);
  });

  it("reads gsm8k's target from `target` when a line has no `answer`", () => {
    const t = compileTemplate("{{answer.split('####')[-1].strip() if answer is defined else target}}");
    expect(t.render({ target: "7" })).toBe("7");
  });

  it.each([
    ["{{ question }}", {}, "question"],
    ["Q: {{answer.split('####')[-1].strip()}}", { target: "7" }, "answer"],
    ["{{ d.label[5] }}", { d: { label: [] } }, "d.label[5]"],
    ["{{ a.b.c }}", { a: { b: {} } }, "a.b.c"],
    ["{% if flag %}x{% endif %}", {}, "flag"],
    ["{{ 'x' if q == 1 else 'y' }}", {}, "q"],
    ["{{ constructor }}", {}, "constructor"],
  ])("%j on %j throws a TaskInputError naming %s", (template, doc, key) => {
    const t = compileTemplate(template);
    expect(() => t.render(doc)).toThrow(TaskInputError);
    expect(() => t.render(doc)).toThrow(`missing field \`${key}\``);
    try {
      t.render(doc);
    } catch (e) {
      expect((e as TaskInputError).key).toBe(key);
    }
  });

  it("reports a value of the wrong type as a TaskInputError naming the field", () => {
    const t = compileTemplate("{{ answer.strip() }}");
    expect(() => t.render({ answer: 5 })).toThrow("`answer.strip()`: 'int' object has no attribute 'strip'");
    expect(() => compileTemplate("{{ a + b }}").render({ a: "x", b: 1 })).toThrow("unsupported operand type(s) for +: 'str' and 'int'");
  });

  it("rejects syntax errors and unknown methods when compiled, as ConfigErrors at the given place", () => {
    const where = { file: "t.yaml", line: 3, key: "doc_to_text" };
    expect(() => compileTemplate("{{ question.strp() }}", where)).toThrow(ConfigError);
    expect(() => compileTemplate("{{ question.strp() }}", where)).toThrow(
      "t.yaml:3, key `doc_to_text`: template syntax error (template line 1, column 17): unsupported method .strp() in template",
    );
    expect(() => compileTemplate("{{ x ")).toThrow(/template syntax error/);
    expect(() => compileTemplate("{% include 'x.j2' %}")).toThrow("{% include %} is not supported");
  });

  it("compiles once and renders many samples independently", () => {
    const t = compileTemplate("{{ q }}");
    expect(t.render({ q: "a" })).toBe("a");
    expect(() => t.render({})).toThrow(TaskInputError);
    expect(t.render({ q: "b" })).toBe("b");
  });

  it("evaluates a single-expression template to its value (doc_to_choice)", () => {
    expect(compileValueTemplate("{{ d.text }}").evaluate(DOC)).toEqual(["x", "y"]);
    expect(compileValueTemplate(" {{ [question.strip(), 'b'] }}\n").evaluate(DOC)).toEqual(["How many?", "b"]);
    expect(() => compileValueTemplate("A: {{ x }}")).toThrow("expected a single {{ expression }} that yields a list");
    expect(() => compileValueTemplate("{{ missing }}").evaluate({})).toThrow(TaskInputError);
  });
});
