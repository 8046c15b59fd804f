import { createHash } from "node:crypto";
import type { Doc } from "../types.js";

/** A sample's id, or why the line cannot have one. */
export type SampleIdResult = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: string };

/**
 * The id of a sample:
 * - the value of `idField` when the line has it: a non-empty string as it is, a number as
 *   `String(n)` (so `7` and `"7"` are the same id);
 * - when the field is absent, `contentId(doc)`: a hash of the line's content;
 * - any other value (null, boolean, object, array, empty string) is not an id: the result says why,
 *   naming the key, and the line becomes a reject rather than getting a surprising id.
 */
export function sampleId(doc: Doc, idField: string): SampleIdResult {
  if (!Object.hasOwn(doc, idField)) return { ok: true, id: contentId(doc) };
  const value = doc[idField];
  if (typeof value === "number") return { ok: true, id: String(value) };
  if (typeof value === "string") {
    return value.length > 0 ? { ok: true, id: value } : { ok: false, reason: `\`${idField}\` is an empty string; an id must not be empty` };
  }
  return { ok: false, reason: `\`${idField}\` must be a string or a number to be an id, got ${describe(value)}` };
}

/**
 * The id of a line without an id field: `h:` followed by the first 16 hex digits (64 bits) of the
 * SHA-1 of its canonical JSON, i.e. `JSON.stringify` with every object's keys sorted (arrays keep
 * their order). It depends only on the content: the same across runs, machines and key orders, and
 * different for lines that differ in any value. The `h:` prefix keeps it apart from real ids.
 */
export function contentId(doc: Doc): string {
  return "h:" + createHash("sha1").update(canonicalJson(doc)).digest("hex").slice(0, 16);
}

/**
 * JSON with object keys sorted at every depth: equal values give equal text. Iterative (an explicit
 * stack, no recursion), so a line nested 100k levels deep gets an id like any other.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Each entry is a value still to write, or a piece of punctuation (a string in a box).
  const todo: ({ readonly text: string } | { readonly value: unknown })[] = [{ value }];
  for (let item = todo.pop(); item !== undefined; item = todo.pop()) {
    if ("text" in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: typeof todo = [{ text: "[" }];
      v.forEach((x: unknown, i) => parts.push(...(i > 0 ? [{ text: "," }] : []), { value: x ?? null }));
      parts.push({ text: "]" });
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
    } else if (v !== null && typeof v === "object") {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      const parts: typeof todo = [{ text: "{" }];
      keys.forEach((k, i) => parts.push({ text: `${i > 0 ? "," : ""}${JSON.stringify(k)}:` }, { value: obj[k] }));
      parts.push({ text: "}" });
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
    } else {
      out.push(JSON.stringify(v) ?? "null");
    }
  }
  return out.join("");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
