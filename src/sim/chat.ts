import { SimApiError } from "./api-error.js";
import type { HandlerContext } from "./context.js";
import type { SimRequest } from "./faults.js";
import { SSE_DONE, sse, usageObject, type SimOutput } from "./output.js";
import { composeReply, shapeReply, type ShapedReply } from "./reply.js";
import { invalidType, missing, readInteger, readModel, readSampleId, readStop, readStreaming, type Body } from "./request-fields.js";
import { countChatTokens } from "./tokens.js";
import { imageKey, readImages } from "./content-parts.js";
import { simJudgeReply } from "./judge.js";
import { withReasoning } from "./reasoning.js";
import { composeToolCall, readTools, toolCallCompletion } from "./tool-calls.js";

/**
 * `POST /v1/chat/completions`. The prompt is the messages' text contents joined by newlines; each of
 * the `n` choices is composed (see `composeReply`) and cut by `stop` and `max_completion_tokens` /
 * `max_tokens`. Non-streamed: one `chat.completion` object. Streamed: a role chunk, one chunk per token,
 * a chunk with the finish_reason per choice, then (with `stream_options.include_usage`) a chunk with
 * empty `choices` and the usage, and `data: [DONE]` — the shape OpenAI sends.
 *
 * With `tools`, the reply is a tool call streamed in pieces (see tool-calls.ts); after a tool result,
 * the answer is that result. A judge's prompt gets a verdict (see `simJudgeReply`). With `reasoning`, the
 * reply comes with thinking (see `withReasoning`); as `reasoning_content`, it streams before the answer.
 */
export function chatCompletion(body: Body, request: SimRequest, ctx: HandlerContext): SimOutput {
  const model = readModel(body, ctx.models);
  const contents = readContents(body);
  const n = readInteger(body, "n", 1, 128, 1)!;
  const maxTokens =
    readInteger(body, "max_completion_tokens", 1, Number.MAX_SAFE_INTEGER, undefined) ??
    readInteger(body, "max_tokens", 1, Number.MAX_SAFE_INTEGER, undefined);
  const stop = readStop(body);
  const { stream, includeUsage } = readStreaming(body);

  const prompt = contents.texts.join("\n");
  // An image's digest names its answer before any text does (a chart question repeats across charts).
  const exact = [...contents.images.map(imageKey), readSampleId(body, request), contents.lastUser, prompt];
  const answer = ctx.answer(prompt, exact, request);
  // Tools: a call, unless the model is being sent a tool's result (then it answers with that result).
  const tools = readTools(body);
  const lastRole = ((body.messages as Body[]).at(-1) as Body).role;
  if (tools && lastRole !== "tool") {
    const call = composeToolCall({ tools, prompt, answer, accuracy: ctx.accuracy, seed: ctx.seed });
    const meta = { id: `chatcmpl-sim${ctx.requestNumber}`, model, stream, includeUsage, usage: ctx.usage, promptTokens: countChatTokens(contents.texts) };
    return toolCallCompletion(call, meta);
  }
  const toolResult = lastRole === "tool" ? contents.texts.at(-1) : undefined;
  const choices: ShapedReply[] = [];
  const thoughts: (ShapedReply | undefined)[] = [];
  let completion = 0;
  let steps = 0;
  for (let i = 0; i < n; i++) {
    const judged = simJudgeReply({ prompt, seed: ctx.seed + i, style: ctx.judgeStyle, positionBias: ctx.judgePositionBias });
    const reply = judged ?? composeReply({ prompt, answer: toolResult ?? answer, accuracy: toolResult === undefined ? ctx.accuracy : 1, seed: ctx.seed, choice: i, format: ctx.replyFormat }).text;
    // A judge's reply is its own; the evaluated model's may come with thinking.
    const { text, reasoning } = judged === undefined ? withReasoning(reply, ctx.reasoning, prompt, ctx.seed + i) : { text: reply, reasoning: undefined };
    const shaped = shapeReply(text, stop, maxTokens);
    const thought = reasoning === undefined ? undefined : shapeReply(reasoning, [], undefined);
    choices.push(shaped);
    thoughts.push(thought);
    completion += shaped.tokens.length + (thought?.tokens.length ?? 0);
    steps = Math.max(steps, shaped.tokens.length + (thought?.tokens.length ?? 0));
  }
  const usage = { prompt: countChatTokens(contents.texts) + contents.imageTokens, completion };
  const id = `chatcmpl-sim${ctx.requestNumber}`;
  const created = Math.floor(Date.now() / 1000);

  if (!stream) {
    const json = {
      id,
      object: "chat.completion",
      created,
      model,
      choices: choices.map((c, index) => ({
        index,
        message: { role: "assistant", content: c.text, ...(thoughts[index] ? { reasoning_content: thoughts[index].text } : {}), refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: c.finish_reason,
      })),
      ...(ctx.usage ? { usage: usageObject(usage) } : {}),
      service_tier: "default",
      system_fingerprint: "fp_sim",
    };
    return { kind: "json", body: JSON.stringify(json), steps, usage };
  }

  // Built by concatenation: dozens of chunks per reply, and stringifying each whole would cost more.
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_sim","choices":[`;
  const tail = ctx.usage && includeUsage ? `],"usage":null}` : `]}`;
  const chunk = (index: number, delta: string, finish: string | null) =>
    sse(`${head}{"index":${index},"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`}}${tail}`);
  const events: string[] = [];
  const starts: number[] = [0];
  for (let i = 0; i < n; i++) events.push(chunk(i, `{"role":"assistant","content":"","refusal":null}`, null));
  for (let t = 0; t < steps; t++) {
    if (t > 0) starts.push(events.length);
    for (let i = 0; i < n; i++) {
      // Thinking streams first, as reasoning_content deltas, then the answer.
      const thought = thoughts[i]?.tokens ?? [];
      if (t < thought.length) events.push(chunk(i, `{"reasoning_content":${JSON.stringify(thought[t])}}`, null));
      const token = choices[i]!.tokens[t - thought.length];
      if (token !== undefined) events.push(chunk(i, `{"content":${JSON.stringify(token)}}`, null));
    }
  }
  for (let i = 0; i < n; i++) events.push(chunk(i, "{}", choices[i]!.finish_reason));
  if (ctx.usage && includeUsage) events.push(sse(`${head}],"usage":${JSON.stringify(usageObject(usage))}}`));
  events.push(SSE_DONE);
  return { kind: "sse", events, steps: starts, usage };
}

/**
 * The text of each message (string content, or the text parts of an array), the last user message,
 * and the images sent (see content-parts.ts): their digests and the tokens OpenAI would bill for them.
 */
function readContents(body: Body): { texts: string[]; lastUser: string | undefined; images: string[]; imageTokens: number } {
  const messages = body.messages;
  if (messages === undefined) throw missing("messages");
  if (!Array.isArray(messages)) throw invalidType("messages", "an array", messages);
  if (messages.length === 0) {
    throw new SimApiError(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "invalid_request_error", "messages", "empty_array");
  }
  const texts: string[] = [];
  const images: string[] = [];
  let imageTokens = 0;
  let lastUser: string | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (typeof m !== "object" || m === null || typeof (m as Body).role !== "string") {
      throw invalidType(`messages[${i}]`, "an object with a string 'role'", m);
    }
    const text = contentText((m as Body).content, i);
    texts.push(text);
    if ((m as Body).role === "user") lastUser = text;
    for (const image of readImages((m as Body).content, i)) {
      images.push(image.sha256);
      imageTokens += image.tokens;
    }
  }
  return { texts, lastUser, images, imageTokens };
}

function contentText(content: unknown, i: number): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    let text = "";
    for (const part of content) {
      if (typeof part === "object" && part !== null && (part as Body).type === "text" && typeof (part as Body).text === "string") {
        text += (part as Body).text as string;
      }
    }
    return text;
  }
  throw invalidType(`messages[${i}].content`, "a string or an array of content parts", content);
}
