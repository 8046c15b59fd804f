import { SimApiError } from "./api-error.js";
import type { HandlerContext } from "./context.js";
import type { SimRequest } from "./faults.js";
import { MAX_LOGPROBS, tokenLogprobs, type CompletionLogprobs } from "./logprobs.js";
import { SSE_DONE, sse, usageObject, type SimOutput } from "./output.js";
import { composeReply, shapeReply, type ShapedReply } from "./reply.js";
import { readInteger, readModel, readSampleId, readStop, readStreaming, missing, type Body } from "./request-fields.js";
import { countTokens, tokenize } from "./tokens.js";

/** OpenAI's and vLLM's default `max_tokens` for legacy completions. */
const DEFAULT_MAX_TOKENS = 16;

/**
 * `POST /v1/completions` (the legacy API lm-evaluation-harness uses for loglikelihood).
 *
 * `prompt` is a string or an array of strings (token-id prompts are refused with a 400). Each prompt
 * gets `n` choices, indexed `prompt_index * n + choice` as OpenAI does. `max_tokens` defaults to 16 and may
 * be 0. With `echo: true` a choice's text starts with its prompt. With `logprobs: k` a choice carries
 * deterministic logprobs (see `tokenLogprobs`) for its tokens, the echoed prompt's included, the first
 * of those being null — so `{echo: true, logprobs: 1, max_tokens: 0|1}` scores a context + continuation
 * as vLLM does. Streaming sends one chunk per token and cannot carry logprobs.
 */
export function completion(body: Body, request: SimRequest, ctx: HandlerContext): SimOutput {
  const model = readModel(body, ctx.models);
  const prompts = readPrompts(body);
  const n = readInteger(body, "n", 1, 128, 1)!;
  const maxTokens = readInteger(body, "max_tokens", 0, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_TOKENS)!;
  const k = readInteger(body, "logprobs", 0, MAX_LOGPROBS, undefined);
  const echo = body.echo ?? false;
  if (typeof echo !== "boolean") throw new SimApiError(400, "Invalid type for 'echo': expected a boolean.", "invalid_request_error", "echo", "invalid_type");
  const stop = readStop(body);
  const { stream, includeUsage } = readStreaming(body);
  if (stream && k !== undefined) throw new SimApiError(400, "The simulator does not stream logprobs.", "invalid_request_error", "logprobs");

  const sampleId = readSampleId(body, request);
  const choices: Array<ShapedReply & { prefix: string; logprobs: CompletionLogprobs | null }> = [];
  let promptTokens = 0;
  let completionTokens = 0;
  let steps = 0;
  for (const prompt of prompts) {
    promptTokens += countTokens(prompt);
    const answer = ctx.answer(prompt, [sampleId, prompt], request);
    for (let i = 0; i < n; i++) {
      const reply = composeReply({ prompt, answer, accuracy: ctx.accuracy, seed: ctx.seed, choice: i, format: ctx.replyFormat });
      const shaped = shapeReply(reply.text, stop, maxTokens);
      completionTokens += shaped.tokens.length;
      steps = Math.max(steps, shaped.tokens.length);
      const logprobs =
        k === undefined
          ? null
          : echo
            ? tokenLogprobs([...tokenize(prompt), ...shaped.tokens], { seed: ctx.seed, k, firstIsNull: true })
            : tokenLogprobs(shaped.tokens, { seed: ctx.seed, k, firstIsNull: false });
      choices.push({ ...shaped, prefix: echo ? prompt : "", logprobs });
    }
  }
  const usage = { prompt: promptTokens, completion: completionTokens };
  const id = `cmpl-sim${ctx.requestNumber}`;
  const created = Math.floor(Date.now() / 1000);

  if (!stream) {
    const json = {
      id,
      object: "text_completion",
      created,
      model,
      choices: choices.map((c, index) => ({ text: c.prefix + c.text, index, logprobs: c.logprobs, finish_reason: c.finish_reason })),
      ...(ctx.usage ? { usage: usageObject(usage) } : {}),
      system_fingerprint: "fp_sim",
    };
    return { kind: "json", body: JSON.stringify(json), steps, usage };
  }

  const head = `{"id":"${id}","object":"text_completion","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_sim","choices":[`;
  const tail = ctx.usage && includeUsage ? `],"usage":null}` : `]}`;
  const chunk = (index: number, text: string, finish: string | null) =>
    sse(`${head}{"text":${JSON.stringify(text)},"index":${index},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`}}${tail}`);
  const events: string[] = [];
  const starts: number[] = [0];
  choices.forEach((c, i) => c.prefix !== "" && events.push(chunk(i, c.prefix, null)));
  for (let t = 0; t < steps; t++) {
    if (t > 0) starts.push(events.length);
    choices.forEach((c, i) => t < c.tokens.length && events.push(chunk(i, c.tokens[t]!, null)));
  }
  choices.forEach((c, i) => events.push(chunk(i, "", c.finish_reason)));
  if (ctx.usage && includeUsage) events.push(sse(`${head}],"usage":${JSON.stringify(usageObject(usage))}}`));
  events.push(SSE_DONE);
  return { kind: "sse", events, steps: starts, usage };
}

function readPrompts(body: Body): readonly string[] {
  const p = body.prompt;
  if (p === undefined) throw missing("prompt");
  if (typeof p === "string") return [p];
  if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === "string")) return p;
  throw new SimApiError(400, "Invalid 'prompt': the simulator accepts a string or a non-empty array of strings (not token ids).", "invalid_request_error", "prompt");
}
