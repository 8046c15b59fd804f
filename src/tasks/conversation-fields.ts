import { z } from "../zod.js";
import { ConfigError, TaskInputError } from "../errors/index.js";
import type { ChatMessage, Doc } from "../types.js";
import type { ConfigSite } from "./yaml-location.js";
import type { ConversationConfig } from "./conversation-keys.js";
import { compileValueTemplate } from "./template.js";
import type { Task } from "../work/task.js";

/**
 * The conversation keys of a task (see conversation-keys.ts) compiled into getters, once per task.
 * Each getter throws a TaskInputError naming the key when a sample lacks what it needs, so the line
 * is set aside; "where present" values (reference, category, canned outputs) return undefined.
 */
export interface ConversationFields {
  /** The user turns: each a string, or a list of content parts (text, images, audio; see media/data-parts.ts). */
  turns(doc: Doc): DataContent[];
  /** The messages; a message's content may be a list of content parts, as in `turns`. */
  messages(doc: Doc): DataMessage[];
  tools(doc: Doc): unknown;
  expectedCalls(doc: Doc): unknown;
  reference(doc: Doc): string[] | undefined;
  category(doc: Doc): string | undefined;
  temperature(doc: Doc): number | undefined;
  cannedOutputs(doc: Doc): Record<string, unknown> | undefined;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A field name, or a `{{ expression }}` template yielding a value; `optional` fields may be missing. */
function compileValue(spec: string, key: string, where: { file?: string; line?: number } = {}, optional = false): (doc: Doc) => unknown {
  if (FIELD_NAME.test(spec)) {
    return (doc) => {
      if (Object.hasOwn(doc, spec)) return doc[spec];
      if (optional) return undefined;
      throw new TaskInputError(`${key}: missing field \`${spec}\``, spec);
    };
  }
  if (!/\{\{|\{%/.test(spec)) throw new ConfigError("expected a field name or a {{ template }} yielding a value", { ...where, key });
  const t = compileValueTemplate(spec, { ...where, key });
  return (doc) => {
    try {
      return t.evaluate(doc);
    } catch (e) {
      if (e instanceof TaskInputError) throw new TaskInputError(`${key}: ${e.message}`, e.key);
      throw e;
    }
  };
}

/** A message's content as a data line gives it: text, or a list of content parts (read by media/data-parts.ts). */
export type DataContent = string | readonly Readonly<Record<string, unknown>>[];
/** A message as a data line gives it. */
export type DataMessage = Omit<ChatMessage, "content"> & { readonly content: DataContent | null };

const Parts = z.array(z.looseObject({ type: z.string() })).min(1);
const Messages = z.array(z.looseObject({ role: z.enum(["system", "user", "assistant", "tool"]), content: z.union([z.string(), Parts]).nullable() })).min(1);
const Turns = z.array(z.union([z.string(), Parts])).min(1);
const References = z.array(z.string()).min(1);

function parsed<T>(schema: z.ZodType<T>, value: unknown, key: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new TaskInputError(`${key}: expected ${what} (${z.prettifyError(r.error).split("\n").join(" ")})`, key);
  return r.data;
}

const cache = new WeakMap<object, ConversationFields>();

/** The task's conversation getters (compiled on first use, then shared). */
export function conversationFields(task: Pick<Task, "config">, where?: (key: string) => { file?: string; line?: number }): ConversationFields {
  const hit = cache.get(task.config);
  if (hit) return hit;
  const c = task.config as ConversationConfig;
  const at = (key: string) => where?.(key) ?? {};
  const absent = (key: string) => () => {
    throw new TaskInputError(`the task has no \`${key}\``, key);
  };
  const turns = c.turns ? compileValue(c.turns, "turns", at("turns")) : undefined;
  const messages = c.doc_to_messages ? compileValue(c.doc_to_messages, "doc_to_messages", at("doc_to_messages")) : undefined;
  const tools = c.tools ? compileValue(c.tools.from, "tools.from", at("tools")) : undefined;
  const expected = c.expected_calls ? compileValue(c.expected_calls, "expected_calls", at("expected_calls")) : undefined;
  const reference = c.judge?.reference ? compileValue(c.judge.reference, "judge.reference", at("judge"), true) : undefined;
  const category = c.judge?.category ? compileValue(c.judge.category, "judge.category", at("judge"), true) : undefined;
  const canned = c.agent?.canned_outputs ? compileValue(c.agent.canned_outputs, "agent.canned_outputs", at("agent"), true) : undefined;
  const fields: ConversationFields = {
    turns: turns ? (doc) => parsed(Turns, turns(doc), "turns", "a list of user messages") : absent("turns"),
    messages: messages ? (doc) => parsed(Messages, messages(doc), "doc_to_messages", "a list of {role, content} messages") : absent("doc_to_messages"),
    tools: tools ?? absent("tools"),
    expectedCalls: expected ?? absent("expected_calls"),
    reference: (doc) => {
      const v = reference?.(doc);
      if (v === undefined || v === null) return undefined;
      return parsed(References, Array.isArray(v) ? v : [v], "judge.reference", "a list of reference answers, one per turn");
    },
    category: (doc) => {
      const v = category?.(doc);
      return v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    },
    temperature: (doc) => {
      const by = c.temperature_by;
      if (!by) return undefined;
      const key = doc[by.field];
      const t = typeof key === "string" && Object.hasOwn(by.values, key) ? by.values[key] : by.default;
      return t;
    },
    cannedOutputs: (doc) => {
      const v = canned?.(doc);
      if (v === undefined || v === null) return undefined;
      return parsed(z.record(z.string(), z.unknown()), v, "agent.canned_outputs", "a map of tool name to output");
    },
  };
  cache.set(task.config, fields);
  return fields;
}

/**
 * Load-time checks of the conversation keys: which output types they belong to and what each type
 * needs; compiling the values reports template errors at the task file's line.
 */
export function checkConversationTask(config: ConversationConfig & { output_type: string; doc_to_text?: unknown; task: string }, site: ConfigSite): void {
  const type = config.output_type;
  const only = (key: keyof ConversationConfig, types: readonly string[]) => {
    if (config[key] !== undefined && !types.includes(type)) site.fail([key], `applies to output_type ${types.join(" or ")}, not ${type}`);
  };
  only("turns", ["generate_until_multi_round"]);
  only("judge", ["generate_until_multi_round", "generate_until", "tool_use"]);
  if (config.judge && type !== "generate_until_multi_round") {
    // Elsewhere the block only sets up the judge of llm_judge metrics; MT-Bench's keys would do nothing.
    for (const key of ["reference", "reference_categories", "category"] as const) {
      if (config.judge[key] !== undefined) site.fail(["judge", key], `applies to MT-Bench grading (output_type generate_until_multi_round), not ${type}: llm_judge templates read \`target\``);
    }
  }
  only("temperature_by", ["generate_until_multi_round", "tool_use"]);
  only("doc_to_messages", ["tool_use"]);
  only("tools", ["tool_use"]);
  only("expected_calls", ["tool_use"]);
  only("agent", ["tool_use"]);
  if (type === "generate_until_multi_round" && config.turns === undefined) site.fail(["turns"], "required for output_type generate_until_multi_round");
  if (type === "tool_use") {
    if (config.doc_to_messages === undefined && config.doc_to_text === undefined) site.fail(["doc_to_messages"], "output_type tool_use needs doc_to_messages or doc_to_text");
    if (config.expected_calls !== undefined && config.tools?.format !== "bfcl") site.fail(["expected_calls"], "scoring expected calls needs BFCL function docs: set tools.format: bfcl");
    if (config.expected_calls !== undefined && config.agent !== undefined) site.fail(["expected_calls"], "expected calls score the first reply; an agent loop is scored on its final answer");
  }
  const where = (key: string) => {
    const w = site.where([key]);
    return { file: w.file, line: w.line };
  };
  conversationFields({ config }, where);
}
