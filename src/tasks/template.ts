import { ConfigError, TaskInputError, isTaskInputError } from "../errors/index.js";
import type { Doc } from "../types.js";
import { createTemplateEnvironment } from "./jinja/environment.js";
import { compileTree, type JNode } from "./jinja/nunjucks-internals.js";
import { parseTemplate } from "./jinja/parse.js";
import { transformTemplate, transformValueTemplate } from "./jinja/transform.js";

/**
 * Jinja templates of task files (`doc_to_text`, `doc_to_target`, `description` …), rendered as
 * lm-evaluation-harness renders them: Jinja with StrictUndefined, Python expressions inside
 * (`{{answer.split('####')[-1].strip()}}`), trailing newline kept, no HTML escaping.
 *
 * Built on nunjucks: each template is parsed once, rewritten to Python semantics (jinja/transform.ts)
 * and compiled once; rendering is synchronous and pure.
 */
export interface Template {
  readonly source: string;
  /**
   * Renders against one sample. Throws a TaskInputError naming the key (`missing field \`answer\``,
   * key `answer`) when the sample lacks a field the template uses or a value has the wrong type.
   */
  render(doc: Doc): string;
}

/** A single-expression template (`{{ choices }}`, `{{ [a, b] }}`) evaluated to its value. */
export interface ValueTemplate {
  readonly source: string;
  /** The expression's value (a list for doc_to_choice); throws a TaskInputError like Template.render. */
  evaluate(doc: Doc): unknown;
}

/** Where a template sits in its task file, for error messages. */
export interface TemplateWhere {
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;
}

/** Compiles a Jinja template; throws a ConfigError (at `where`) on a syntax error or an unsupported construct. */
export function compileTemplate(source: string, where: TemplateWhere = {}): Template {
  const render = build(source, where, transformTemplate);
  return { source, render };
}

/** Compiles a template that must be one `{{ expression }}`; throws a ConfigError otherwise. */
export function compileValueTemplate(source: string, where: TemplateWhere = {}): ValueTemplate {
  const render = build(source, where, transformValueTemplate);
  return { source, evaluate: (doc) => JSON.parse(render(doc)) as unknown };
}

function build(source: string, where: TemplateWhere, transform: (root: JNode) => JNode): (doc: Doc) => string {
  const { env, failure, sample, ops } = createTemplateEnvironment();
  let template;
  try {
    template = compileTree(transform(parseTemplate(source)), env, where.key ?? "template", ops);
  } catch (e) {
    throw new ConfigError(`template ${describeSyntaxError(e)}`, where);
  }
  return (doc) => {
    failure.error = undefined;
    sample.doc = doc;
    try {
      return template.render({});
    } catch (e) {
      const kept = failure.error as TaskInputError | undefined; // set during render, which TS cannot see
      if (kept) throw kept;
      if (isTaskInputError(e)) throw e;
      throw new TaskInputError(`template error: ${cleanMessage(e)}`);
    } finally {
      sample.doc = undefined;
    }
  };
}

function describeSyntaxError(e: unknown): string {
  const err = e as { message?: string; lineno?: number; colno?: number };
  const pos = err.lineno ? ` (template line ${err.lineno}, column ${err.colno ?? 0})` : "";
  return `syntax error${pos}: ${cleanMessage(e)}`;
}

/** nunjucks prefixes messages with `(unknown path) [Line 1, Column 2]` and a newline. */
function cleanMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^\([^)]*\)(\s*\[Line \d+, Column \d+\])?\s*/, "").replace(/^(Template render error|Error): /, "").replace(/\s+/g, " ").trim();
}
