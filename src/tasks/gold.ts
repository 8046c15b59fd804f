import { TaskInputError } from "../errors/task-input-error.js";
import type { Doc } from "../types.js";
import { compileField } from "./fields.js";
import { pyStr } from "../python/repr.js";
import type { TemplateWhere } from "./template.js";
import type { Task } from "../work/task.js";

/**
 * A task's `doc_to_target` with the types lm-evaluation-harness gives it when the task has
 * `doc_to_choice`, and the gold choice it names:
 *
 * - an integer (an integer field, or `doc_to_target: 2`) is an index into the choices;
 * - a template renders text, and text of digits only is an index (the harness `literal_eval`s it);
 * - any other text is a choice, found by `choices.index(text)`;
 * - an index at or past the end, or text that is no choice, is a gold index error (lm-eval's −100,
 *   GOLD_ERROR): the sample scores 0, as there. A negative index is kept, as lm-eval keeps it: it
 *   never equals a prediction, and where lm-eval indexes with it (`is_greedy[gold]`, `choices[gold]`)
 *   it counts from the end, as Python indexing does.
 *
 * A list (several gold answers, `multiple_target`) is not supported: the sample is rejected.
 */
export type RawTarget = number | string;

const compiled = new WeakMap<Task, (doc: Doc) => RawTarget>();

/** The raw target of a doc: an index or a text. Throws a TaskInputError as `task.target` does. */
export function rawTarget(task: Task, doc: Doc): RawTarget {
  let fn = compiled.get(task);
  if (!fn) {
    fn = compileRawTarget(task.config.doc_to_target as string | number | undefined);
    compiled.set(task, fn);
  }
  return fn(doc);
}

/** Compiles a `doc_to_target` spec to raw targets; `where` names it in template errors. */
export function compileRawTarget(spec: string | number | undefined, where: TemplateWhere & { key: string } = { key: "doc_to_target" }): (doc: Doc) => RawTarget {
  if (spec === undefined) return () => "";
  const field = compileField(spec, where);
  const isTemplate = typeof spec === "string" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec);
  return (doc) => {
    const v = field(doc);
    if (Array.isArray(v)) throw new TaskInputError("doc_to_target: a list of gold answers (multiple targets) is not supported", "doc_to_target");
    if (typeof v === "boolean") return v ? 1 : 0; // Python's bool is an int
    if (typeof v === "number" && Number.isInteger(v)) return v;
    const text = pyStr(v);
    if (isTemplate && /^[0-9]+$/.test(text)) return Number(text);
    return text;
  };
}

/** lm-eval's marker of a gold index error. */
export const GOLD_ERROR = -100;

/** The gold choice's index as lm-eval keeps it (negative included), or GOLD_ERROR (scored 0). */
export function goldIndex(raw: RawTarget, choices: readonly string[]): number {
  if (typeof raw === "number") return raw < choices.length ? raw : GOLD_ERROR;
  const i = choices.indexOf(raw);
  return i < 0 ? GOLD_ERROR : i;
}

/** `seq[i]` with Python's negative indexing; undefined past either end. */
export function pyIndex<T>(seq: readonly T[], i: number): T | undefined {
  return seq[i < 0 ? seq.length + i : i];
}

/** The target as the text a few-shot example shows after its question: the gold choice, or the text itself. */
export function targetText(raw: RawTarget, choices: readonly string[] | undefined): string {
  // Python indexing: a negative index counts from the end.
  if (typeof raw === "number" && choices) return choices[raw < 0 ? choices.length + raw : raw] ?? pyStr(raw);
  return pyStr(raw);
}
