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

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
