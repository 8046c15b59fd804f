import { combine, seededHash, toUnit } from "./hash.js";
import { SSE_DONE, sse, type SimOutput, type TokenCounts, usageObject } from "./output.js";
import { invalidType, type Body } from "./request-fields.js";
import { tokenize } from "./tokens.js";

/**
 * Tool calls, for requests that carry `tools`: the sim answers with one call instead of text,
 * streamed as OpenAI streams it — a first delta with the call's index, id, type, name and empty
 * arguments, then the arguments in pieces (one token each), then `finish_reason: "tool_calls"`.
 *
 * Which call: with an answer for the prompt (a JSON `{"name": …, "arguments": …}`, arguments as an
 * object or as the JSON string itself), the right call when hash(prompt, seed) falls below
 * `accuracy`, else one whose first argument is changed; without one, a call of the first tool with
 * a value of the schema's type for each required parameter. A request whose last message is a tool
 * result gets a text reply instead (the caller composes it).
 */

export interface SimToolCall {
  readonly name: string;
  readonly arguments: string;
}

interface ToolSchema {
  readonly name: string;
  readonly parameters: Body;
}

/** The request's function tools, or undefined when it has none. */
export function readTools(body: Body): ToolSchema[] | undefined {
  const tools = body.tools;
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalidType("tools", "an array", tools);
  if (tools.length === 0) return undefined;
  return tools.map((t: unknown, i) => {
    const fn = typeof t === "object" && t !== null ? (t as Body).function : undefined;
    if (typeof fn !== "object" || fn === null || typeof (fn as Body).name !== "string") throw invalidType(`tools[${i}].function`, "an object with a string 'name'", fn);
    const parameters = (fn as Body).parameters;
    return { name: (fn as Body).name as string, parameters: typeof parameters === "object" && parameters !== null ? (parameters as Body) : {} };
  });
}

/** The call to make (see the module comment). */
export function composeToolCall(input: { tools: readonly ToolSchema[]; prompt: string; answer: string | undefined; accuracy: number; seed: number }): SimToolCall {
  const h = seededHash(input.prompt, input.seed, 0x7001);
  const known = parseAnswer(input.answer);
  if (known) return toUnit(h) < input.accuracy ? known : wrongCall(known, combine(h, 1));
  const tool = input.tools[0]!;
  const props = (tool.parameters.properties ?? {}) as Record<string, Body>;
  const required = Array.isArray(tool.parameters.required) ? (tool.parameters.required as string[]) : [];
  const args: Record<string, unknown> = {};
  for (const name of required) args[name] = sampleValue(props[name]?.type, combine(h, name.length));
  return { name: tool.name, arguments: JSON.stringify(args) };
}

function parseAnswer(answer: string | undefined): SimToolCall | undefined {
  if (answer === undefined) return undefined;
  try {
    const v = JSON.parse(answer) as Body;
    if (typeof v.name !== "string") return undefined;
    return { name: v.name, arguments: typeof v.arguments === "string" ? v.arguments : JSON.stringify(v.arguments ?? {}) };
  } catch {
    return undefined;
  }
}

/** The same call with its first argument changed (or its name, when it has none). */
function wrongCall(call: SimToolCall, h: number): SimToolCall {
  const args = JSON.parse(call.arguments) as Record<string, unknown>;
  const first = Object.keys(args)[0];
  if (first === undefined) return { name: `${call.name}_x`, arguments: call.arguments };
  const v = args[first];
  if (typeof v === "number") args[first] = v + 1 + (h % 9);
  else if (typeof v === "string") args[first] = `not ${v}`;
  else if (typeof v === "boolean") args[first] = !v;
  else if (Array.isArray(v)) args[first] = [...(v as unknown[]), (v as unknown[])[0] ?? 1];
  else if (typeof v === "object" && v !== null) args[first] = { ...v, unexpected: 1 };
  else args[first] = 1;
  return { name: call.name, arguments: JSON.stringify(args) };
}

function sampleValue(type: unknown, h: number): unknown {
  switch (type) {
    case "integer":
      return 1 + (h % 100);
    case "number":
      return (1 + (h % 1000)) / 10;
    case "boolean":
      return (h & 1) === 1;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return `value${h % 100}`;
  }
}

/** The reply to a tools request: one call, as a chat.completion or as SSE events in pieces. */
export function toolCallCompletion(call: SimToolCall, meta: { id: string; model: string; stream: boolean; includeUsage: boolean; usage: boolean; promptTokens: number }): SimOutput {
  const pieces = tokenize(call.arguments);
  const counts: TokenCounts = { prompt: meta.promptTokens, completion: tokenize(call.name).length + pieces.length };
  const callId = `call_sim${seededHash(call.name + call.arguments, 0).toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  if (!meta.stream) {
    const message = { role: "assistant", content: null, refusal: null, annotations: [], tool_calls: [{ id: callId, type: "function", function: call }] };
    const json = {
      id: meta.id,
      object: "chat.completion",
      created,
      model: meta.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: "tool_calls" }],
      ...(meta.usage ? { usage: usageObject(counts) } : {}),
      system_fingerprint: "fp_sim",
    };
    return { kind: "json", body: JSON.stringify(json), steps: pieces.length + 1, usage: counts };
  }
  const withUsage = meta.usage && meta.includeUsage;
  const chunk = (delta: unknown, finish: string | null) =>
    sse(JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created, model: meta.model, system_fingerprint: "fp_sim", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) }));
  const events = [
    chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: callId, type: "function", function: { name: call.name, arguments: "" } }], refusal: null }, null),
    ...pieces.map((p) => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }, null)),
    chunk({}, "tool_calls"),
  ];
  if (withUsage) events.push(sse(JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created, model: meta.model, system_fingerprint: "fp_sim", choices: [], usage: usageObject(counts) })));
  events.push(SSE_DONE);
  // One step per event before the closing ones: the first delta, then each piece.
  return { kind: "sse", events, steps: events.map((_, i) => i).slice(0, pieces.length + 1), usage: counts };
}
