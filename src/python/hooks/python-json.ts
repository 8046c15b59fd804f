/**
 * Values to and from the hook worker: JSON, except non-finite floats, sent as
 * `{"$float": "nan" | "inf" | "-inf"}` (JSON has no NaN). A replacer and a reviver, so the JSON text is
 * made and read in one pass. Pure.
 */

/** `JSON.parse` reviver: `{"$float": …}` back to a number. */
export function pythonReviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const f = (value as { $float?: unknown }).$float;
  if (f === undefined || Object.keys(value).length !== 1) return value;
  return f === "nan" ? Number.NaN : f === "inf" ? Infinity : -Infinity;
}

/** `JSON.stringify` replacer: NaN and infinities as `{"$float": …}`. */
export function pythonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return { $float: Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf" };
  return value;
}
