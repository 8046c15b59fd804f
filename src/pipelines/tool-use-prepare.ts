import type { FunctionTool } from "../agent/tools.js";
import { contentText } from "../media/content-parts.js";
import { TaskInputError } from "../errors/task-input-error.js";
import type { BfclFunction, PossibleParams } from "../scorers/bfcl-checker.js";
import { bfclToOpenAITools, possibleAnswerFunction, readBfclFunctions, readPossibleAnswer } from "../scorers/bfcl-tools.js";
import { conversationFields } from "../tasks/conversation-fields.js";
import type { ConversationConfig } from "../tasks/conversation-keys.js";
import type { Task } from "../work/task.js";
import type { ChatMessage, Sample } from "../types.js";
import type { Prepared } from "../work/work-item.js";
import { dataMessages, mediaField, sampleMedia, withMedia } from "./chat-request.js";
import { docPosition } from "../work/doc-position.js";

/** A tool-use sample made ready: the conversation, the tools the model sees, and what scores it. */
export interface ToolUsePrepared extends Prepared {
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly FunctionTool[];
  /** With `expected_calls`: the function the call must name and its accepted arguments (BFCL). */
  readonly expected?: { readonly func: BfclFunction; readonly possible: PossibleParams; readonly underscoreToDot: boolean };
  /** The sample's canned tool outputs, for an agent loop without code tools. */
  readonly cannedOutputs?: Readonly<Record<string, unknown>>;
  readonly temperature?: number;
}

/**
 * Renders a tool-use sample (pure; throws TaskInputError naming the key for a line that lacks
 * what the task needs). Messages come from `doc_to_messages`, else `doc_to_text` as one user
 * message, after the task's `system_prompt`; BFCL function docs become OpenAI tools as BFCL
 * converts them.
 */
export function prepareToolUse(sample: Sample, task: Task): ToolUsePrepared {
  const config = task.config as ConversationConfig;
  const fields = conversationFields(task);
  const doc = sample.doc;
  const conversation = config.doc_to_messages ? dataMessages(fields.messages(doc), "doc_to_messages", sample, task) : [{ role: "user" as const, content: task.prompt(doc, docPosition(sample)) }];
  const given: ChatMessage[] = config.system_prompt !== undefined ? [{ role: "system", content: config.system_prompt }, ...conversation] : conversation;
  // The task's media (doc_to_image …) goes into the last user message, at its placeholders, else before its text.
  const taskMedia = sampleMedia(sample, task).media;
  const messages = taskMedia ? withMedia(given, taskMedia) : given;

  let tools: FunctionTool[] = [];
  let functions: BfclFunction[] | undefined;
  if (config.tools) {
    const raw = fields.tools(doc);
    if (config.tools.format === "bfcl") {
      functions = readBfclFunctions(raw, "tools.from");
      tools = bfclToOpenAITools(functions, { underscoreToDot: config.tools.underscore_to_dot });
    } else tools = readOpenAITools(raw);
  }

  let expected: ToolUsePrepared["expected"];
  if (config.expected_calls && functions) {
    const gt = fields.expectedCalls(doc);
    const name = possibleAnswerFunction(gt);
    const func = functions.find((f) => f.name === name) ?? functions[0]!;
    expected = { func, possible: readPossibleAnswer(gt, func, "expected_calls"), underscoreToDot: config.tools?.underscore_to_dot ?? true };
  }
  const cannedOutputs = config.agent ? fields.cannedOutputs(doc) : undefined;
  const temperature = fields.temperature(doc);
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  return {
    input: contentText(lastUser?.content ?? null),
    target: task.config.doc_to_target === undefined ? "" : task.target(doc),
    messages,
    ...mediaField(messages),
    tools,
    ...(expected ? { expected } : {}),
    ...(cannedOutputs ? { cannedOutputs } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
  };
}

function readOpenAITools(raw: unknown): FunctionTool[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((t, i) => {
    const fn = typeof t === "object" && t !== null ? (t as { function?: unknown }).function : undefined;
    if (typeof fn !== "object" || fn === null || typeof (fn as { name?: unknown }).name !== "string") {
      throw new TaskInputError(`tools.from[${i}]: expected an OpenAI tool {type: "function", function: {name, parameters}}`, "tools.from");
    }
    return { type: "function", function: fn as FunctionTool["function"] };
  });
}
