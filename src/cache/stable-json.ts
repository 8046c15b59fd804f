/**
 * JSON with object keys sorted, so two equal values hash the same whatever order their keys were made in.
 * Maps and Sets become their entries, bigints (Python ints of BFCL answers) their digits: unlike plain
 * JSON, nothing a pipeline prepares is left out.
 */
export function stableJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "bigint") return `${v}n`;
      if (v instanceof Map) return { "<map>": [...v] };
      if (v instanceof Set) return { "<set>": [...v] };
      if (v && typeof v === "object" && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
      return v;
    }) ?? "null"
  );
}
