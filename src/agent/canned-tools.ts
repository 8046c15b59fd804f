import type { FunctionTool, Toolset } from "./tools.js";

/**
 * Tools answered from the dataset: the sample gives the tools' schemas and, per tool name, a canned
 * output — one value, or a list used in order (the last one repeats). Outputs are returned as text
 * (JSON for non-strings); they are data, never run. Create one per sample: it remembers which
 * outputs were used.
 */
export function cannedToolset(tools: readonly FunctionTool[], outputs: Readonly<Record<string, unknown>>): Toolset {
  const used = new Map<string, number>();
  return {
    tools,
    async execute(call) {
      const name = call.function.name;
      if (!Object.hasOwn(outputs, name)) {
        return `Error: unknown tool \`${name}\` (available: ${Object.keys(outputs).join(", ") || "none"})`;
      }
      const canned = outputs[name];
      let out = canned;
      if (Array.isArray(canned)) {
        const i = used.get(name) ?? 0;
        used.set(name, i + 1);
        out = canned.length === 0 ? "" : canned[Math.min(i, canned.length - 1)];
      }
      return typeof out === "string" ? out : JSON.stringify(out);
    },
  };
}
