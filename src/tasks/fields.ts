import { ConfigError, TaskInputError } from "../errors/index.js";
import { isPythonHook, type PythonHook } from "../python/hooks/hook-ref.js";
import type { Doc } from "../types.js";
import { pyLiteralEval } from "../python/literal.js";
import { pyStr } from "../python/repr.js";
import { type DocHookName, hookValue } from "./hook-values.js";
import { compileTemplate, compileValueTemplate, type TemplateWhere } from "./template.js";

/**
 * The forms `doc_to_text`, `doc_to_target` and `doc_to_choice` take in lm-evaluation-harness:
 *
 * - an integer: that value;
 * - a bare name (`doc_to_target: label`): the sample's field of that name. lm-eval reads a column
 *   when the dataset has one; JSONL lines have no schema, so a bare name is always a field here and a
 *   line without it is rejected (lm-eval would print the name itself as text);
 * - `!function module.name`: the Python hook's value for the doc, computed by the hook stage;
 * - anything else: a Jinja template;
 * - `doc_to_choice` also: a YAML list (or dict: its values), or a template that is one
 *   `{{ expression }}` yielding a list (lm-eval renders it and `ast.literal_eval`s the text).
 *
 * Each field is compiled once; the returned functions are pure and throw TaskInputErrors.
 */

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function field(doc: Doc, name: string): unknown {
  if (!Object.hasOwn(doc, name)) throw new TaskInputError(`missing field \`${name}\``, name);
  return doc[name];
}

/** A TaskInputError from a field, prefixed with the task key it came from (`doc_to_target: …`). */
function labelled<T>(key: string, fn: (doc: Doc) => T): (doc: Doc) => T {
  return (doc) => {
    try {
      return fn(doc);
    } catch (e) {
      if (e instanceof TaskInputError) throw new TaskInputError(`${key}: ${e.message}`, e.key);
      throw e;
    }
  };
}

/** doc_to_text, doc_to_target, description: the value (a rendered template is a string). */
export function compileField(spec: string | number | PythonHook, where: TemplateWhere & { key: string }): (doc: Doc) => unknown {
  if (typeof spec === "number") return () => spec;
  if (isPythonHook(spec)) return labelled(where.key, (doc) => hookValue(doc, where.key as DocHookName));
  if (FIELD_NAME.test(spec)) return labelled(where.key, (doc) => field(doc, spec));
  const t = compileTemplate(spec, where);
  return labelled(where.key, (doc) => t.render(doc));
}

/** doc_to_choice: the list of choices, each as Python's `str()` of it. */
export function compileChoices(spec: string | readonly (string | number)[] | Readonly<Record<string, string | number>> | PythonHook, where: TemplateWhere & { key: string }): (doc: Doc) => string[] {
  if (isPythonHook(spec)) return labelled(where.key, (doc) => asChoices(hookValue(doc, "doc_to_choice")));
  if (Array.isArray(spec)) {
    const list = spec.map(pyStr);
    return () => [...list];
  }
  if (typeof spec === "object") {
    const list = Object.values(spec).map(pyStr);
    return () => [...list];
  }
  const text = spec;
  let get: (doc: Doc) => unknown;
  if (FIELD_NAME.test(text)) get = (doc) => field(doc, text);
  else if (/\{\{|\{%/.test(text)) get = choicesTemplate(text, where);
  else throw new ConfigError("expected a list, a field name or a {{ template }} yielding a list", where);
  return labelled(where.key, (doc) => asChoices(get(doc)));
}

/**
 * A doc_to_choice template, as lm-eval reads it: rendered, then `ast.literal_eval`ed (multirc's
 * `['''{{answer}}\nIs the answer correct? yes''', …]`). A template that is one `{{ expression }}`
 * yielding a list is evaluated to that list directly, which gives the same choices without the text.
 */
function choicesTemplate(text: string, where: TemplateWhere & { key: string }): (doc: Doc) => unknown {
  try {
    const t = compileValueTemplate(text, where);
    return (doc) => t.evaluate(doc);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  const t = compileTemplate(text, where);
  return (doc) => {
    const rendered = t.render(doc);
    try {
      return pyLiteralEval(rendered);
    } catch (e) {
      throw new TaskInputError(`the rendered choices are not a Python literal (${(e as Error).message}): ${rendered.slice(0, 80)}`);
    }
  };
}

/** A hook's or template's choices as lm-eval takes them: a list (or a dict's values), each Python's `str()`. */
export function asChoices(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(pyStr);
  if (typeof v === "object" && v !== null) return Object.values(v).map(pyStr);
  throw new TaskInputError(`expected a list of choices, got ${pyStr(v).slice(0, 40)}`);
}
