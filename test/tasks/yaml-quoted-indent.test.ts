import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseSource } from "../../src/tasks/load.js";
import { indentQuotedContinuations } from "../../src/tasks/yaml-quoted-indent.js";

/**
 * lm-eval YAMLs whose quoted strings continue on lines indented less than their key (copied unchanged
 * from lm-eval 0.4.13: acpbench, xnli_eu, evalita_llm, jsonschema_bench, whose JSON lines inside the quotes
 * start with `}`): PyYAML reads them, and so must the loader, to
 * the same values.
 */
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "lm-eval", "tasks", "pyyaml-quotes");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
const python = spawnSync("python3", ["-c", "import yaml"]).status === 0;

/** PyYAML's reading of a file, tags (`!function`) read as their scalar text. */
function pyyaml(file: string): unknown {
  const code = `import json, sys, yaml
class L(yaml.SafeLoader): pass
L.add_multi_constructor("!", lambda l, s, n: l.construct_scalar(n))
print(json.dumps(yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=L)))`;
  const r = spawnSync("python3", ["-c", code, file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("quoted scalars with under-indented continuation lines (PyYAML reads them)", () => {
  it.skipIf(!python).each(files)("%s loads to PyYAML's values", (name) => {
    const file = path.join(DIR, name);
    const source = parseSource(readFileSync(file, "utf8"), name, file);
    // A hook serialises as `!function spec` (its toJSON); PyYAML's side reads the tag's scalar text.
    const value = JSON.parse(JSON.stringify(source.value, (_k, v: unknown) => (typeof v === "string" && v.startsWith("!function ") ? v.slice("!function ".length) : v)));
    expect(value).toEqual(pyyaml(file));
  });

  it("indents only continuation lines of quoted scalars, keeping line count, block scalars and comments", () => {
    const text = ['a: "one', "two\\\"", "  three\"", "b: 'x''s", "y'", "c: |", '  "not a quote', "d: it's plain # \"comment", 'e: ["p', 'q", r]', ""].join("\n");
    expect(indentQuotedContinuations(text).split("\n")).toEqual(['a: "one', "    two\\\"", "    three\"", "b: 'x''s", "    y'", "c: |", '  "not a quote', "d: it's plain # \"comment", 'e: ["p', '     q", r]', ""]);
  });

  it("a file that is wrong for PyYAML too still fails, naming the line", () => {
    expect(() => parseSource('task: "never closed\n', "t.yaml")).toThrow(/t\.yaml:\d+: YAML syntax error: Missing closing "quote/);
  });
});
