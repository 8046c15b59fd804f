import { TaskInputError } from "../errors/task-input-error.js";
import type { Doc } from "../types.js";
import type { HookFailure, HookValues } from "../work/task.js";

/** The per-doc Python hooks a task may name: run by the hook stage before a sample is prepared. */
export const DOC_HOOKS = ["doc_to_text", "doc_to_target", "doc_to_choice", "doc_to_image", "doc_to_audio", "doc_to_visual"] as const;
export type DocHookName = (typeof DOC_HOOKS)[number];

export type { HookFailure, HookValues } from "../work/task.js";

/**
 * Where the hook stage leaves its values: a symbol on the (processed) doc, so they travel with the
 * sample, never reach JSON (results, the store, the rejects file) and cannot collide with a field.
 */
export const HOOK_VALUES: unique symbol = Symbol("streameval.hookValues");

type HookedDoc = Doc & { [HOOK_VALUES]?: HookValues };

/** A copy of `doc` carrying hook values. */
export function withHookValues(doc: Doc, values: HookValues): Doc {
  return Object.assign({ ...doc }, { [HOOK_VALUES]: values });
}

/** Whether the hook stage has been over `doc` (values or a failure). */
export function hasHookValues(doc: Doc): boolean {
  return (doc as HookedDoc)[HOOK_VALUES] !== undefined;
}

/** The hook failure of a doc, if its hooks failed. */
export function hookFailure(doc: Doc): HookFailure | undefined {
  return (doc as HookedDoc)[HOOK_VALUES]?.failure;
}

/**
 * A doc hook's value for `doc`. The hook stage (`applyDocHooks`, which `evaluate` runs) must have
 * computed it; a doc that did not pass through it is rejected, naming the key.
 */
export function hookValue(doc: Doc, key: DocHookName): unknown {
  const values = (doc as HookedDoc)[HOOK_VALUES]?.values;
  if (!values || !Object.hasOwn(values, key)) {
    throw new TaskInputError(`${key} is a Python hook (\`!function\`) and this sample did not go through the hook worker (evaluate runs it when given its \`hooks\` option)`, key);
  }
  return values[key];
}
