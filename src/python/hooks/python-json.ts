/**
 * Values from the hook worker: JSON, except non-finite floats, sent as `{"$float": "nan" | "inf" | "-inf"}`
 * (JSON has no NaN). Turns those back into numbers, recursively. Pure.
 */
export function fromPythonJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromPythonJson);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === "$float") return record.$float === "nan" ? Number.NaN : record.$float === "inf" ? Infinity : -Infinity;
    return Object.fromEntries(keys.map((k) => [k, fromPythonJson(record[k])]));
  }
  return value;
}

/** Numbers JSON cannot carry, as the worker reads them. */
export function toPythonJson(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return { $float: Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf" };
  if (Array.isArray(value)) return value.map(toPythonJson);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPythonJson(v)]));
  return value;
}
