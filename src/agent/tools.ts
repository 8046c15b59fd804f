import { z } from "../zod.js";
import type { Doc, ToolCall } from "../types.js";

/**
 * Tools for agent loops: typed async functions whose arguments are validated with zod before they
 * run. A tool is code the user (or streameval) wrote; a dataset can only name tools and give their
 * canned outputs (see `cannedTools`) — nothing in a dataset is ever executed.
 */
export interface ToolContext {
  /** Aborted when the sample's time limit passes or the run stops. */
  readonly signal: AbortSignal;
  /** The sample being evaluated. */
  readonly doc: Doc;
}

/** A tool a model may call: its name, description, zod parameters and the function that runs it. */
export interface ToolDef<A extends z.ZodObject = z.ZodObject> {
  /** As the model sees it: `^[a-zA-Z0-9_-]{1,64}$`. */
  readonly name: string;
  readonly description: string;
  /** The arguments object. */
  readonly parameters: A;
  /** The result goes back to the model: a string as is, anything else as JSON. */
  run(args: z.output<A>, context: ToolContext): Promise<unknown>;
}

/** An OpenAI function tool, as a chat request carries it. */
export interface FunctionTool {
  readonly type: "function";
  readonly function: { readonly name: string; readonly description?: string; readonly parameters: Record<string, unknown> };
}

/** Runs one tool call and returns the tool message's content; failures are told to the model, never thrown. */
export type ToolExecutor = (call: ToolCall, context: ToolContext) => Promise<string>;

/** What an agent loop is given: the tools the model sees and how their calls are answered. */
export interface Toolset {
  readonly tools: readonly FunctionTool[];
  readonly execute: ToolExecutor;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Declares a tool; the name is checked at once. */
export function defineTool<A extends z.ZodObject>(def: ToolDef<A>): ToolDef<A> {
  if (!TOOL_NAME.test(def.name)) throw new RangeError(`Expected a tool name matching ${TOOL_NAME.source}, got ${JSON.stringify(def.name)}`);
  return def;
}

/** Tools by name. */
export type ToolRegistry = ReadonlyMap<string, ToolDef>;

/** A registry of tools by name; a name given twice is an error. */
export function toolRegistry(defs: readonly ToolDef[]): ToolRegistry {
  const registry = new Map<string, ToolDef>();
  for (const d of defs) {
    if (registry.has(d.name)) throw new RangeError(`Expected distinct tool names, got ${d.name} twice`);
    registry.set(d.name, d);
  }
  return registry;
}

/** The OpenAI tool for a definition (its zod schema as JSON Schema). */
export function functionTool(def: ToolDef): FunctionTool {
  const { $schema: _schema, ...parameters } = z.toJSONSchema(def.parameters) as Record<string, unknown>;
  return { type: "function", function: { name: def.name, description: def.description, parameters } };
}

/**
 * The named tools of a registry as a Toolset. Arguments are parsed with JSON.parse and validated
 * with the tool's schema; an unknown tool, bad arguments or a tool that throws give the model an
 * `Error: …` result instead of ending the sample.
 */
export function registryToolset(registry: ToolRegistry, names: readonly string[]): Toolset {
  const defs = names.map((n) => {
    const d = registry.get(n);
    if (!d) throw new RangeError(`unknown tool \`${n}\` (available: ${[...registry.keys()].join(", ") || "none"})`);
    return d;
  });
  const byName = new Map(defs.map((d) => [d.name, d]));
  return {
    tools: defs.map(functionTool),
    async execute(call, context) {
      const def = byName.get(call.function.name);
      if (!def) return `Error: unknown tool \`${call.function.name}\` (available: ${[...byName.keys()].join(", ")})`;
      let raw: unknown;
      try {
        raw = call.function.arguments.trim() === "" ? {} : JSON.parse(call.function.arguments);
      } catch (e) {
        return `Error: the arguments are not valid JSON: ${(e as Error).message}`;
      }
      const args = def.parameters.safeParse(raw);
      if (!args.success) return `Error: invalid arguments for \`${def.name}\`: ${z.prettifyError(args.error).replace(/\n/g, "; ")}`;
      try {
        const out = await def.run(args.data, context);
        return typeof out === "string" ? out : JSON.stringify(out);
      } catch (e) {
        if (context.signal.aborted) throw e;
        return `Error: ${(e as Error).message}`;
      }
    },
  };
}
