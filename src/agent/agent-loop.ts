import type { Clock } from "../clock.js";
import type { ChatReply } from "../work/model.js";
import type { CutOffCause } from "../work/work-item.js";
import type { ChatMessage, Doc, ErrorInfo, Timing, Usage } from "../types.js";
import { type AgentLimits, type AgentUsed, DEFAULT_MESSAGE_LIMIT, type LimitHit, limitAfterCall, limitBeforeCall, validateLimits } from "./limits.js";
import type { Toolset } from "./tools.js";

/** One model call as the loop needs it: the reply, or the error as data (an `Inferred` fits). */
export type CallOutcome =
  | { readonly reply: ChatReply; readonly error?: undefined; readonly timing: Timing; readonly cost_usd: number | null }
  | { readonly error: ErrorInfo; readonly reply?: undefined; readonly timing: Timing; readonly cost_usd: number | null; readonly cutOff?: CutOffCause };

/** Sends the conversation (with the tools) to the model; `signal` aborts it. */
export type ModelCall = (messages: readonly ChatMessage[], signal: AbortSignal) => Promise<CallOutcome>;

/** One agent run: the model call, the starting messages, the tools it may call and its limits. */
export interface AgentOptions {
  /** The conversation so far (system and user messages). */
  readonly messages: readonly ChatMessage[];
  readonly toolset: Toolset;
  readonly call: ModelCall;
  readonly limits: AgentLimits;
  readonly clock: Clock;
  /** The run's signal: aborting ends the loop as an error. */
  readonly signal: AbortSignal;
  /** The sample, passed to tools. */
  readonly doc: Doc;
}

/** Why the loop ended: the model answered without calling a tool, a limit, or a failed call. */
export type AgentStop = "answer" | "error" | LimitHit["limit"];

/** One model call of the loop. */
export interface AgentStep {
  readonly usage: Usage | null;
  readonly cost_usd: number | null;
  readonly timing: Timing;
  readonly finish_reason: string | null;
  readonly tool_calls: number;
}

/** How an agent run ended (its stop), its final answer, transcript, steps, usage and cost. */
export interface AgentResult {
  readonly stop: AgentStop;
  /** The model's final text when it answered; null otherwise. */
  readonly answer: string | null;
  /** Every message: the initial ones, each assistant reply with its tool calls, each tool result. */
  readonly transcript: readonly ChatMessage[];
  readonly steps: readonly AgentStep[];
  readonly usage: Usage;
  /** Null when some call had no known price. */
  readonly cost_usd: number | null;
  readonly elapsed_ms: number;
  readonly limit?: LimitHit;
  readonly error?: ErrorInfo;
  /** The loop ended because the run's end cut it off (budget, the run's signal), not because it failed. */
  readonly cutOff?: CutOffCause;
}

/**
 * The agent loop: call the model with the tools; while it calls tools, run them (in order) and send
 * the results back; stop when it answers without a tool call, a limit is reached, or a call fails.
 * `time_limit` also cuts a call or tool in flight (the run's clock times it). Every call and result
 * is in the transcript. Never throws for a sample's failure.
 */
export async function runAgent(options: AgentOptions): Promise<AgentResult> {
  validateLimits(options.limits);
  const { clock, limits, toolset } = options;
  const start = clock.now();
  const messages: ChatMessage[] = [...options.messages];
  const steps: AgentStep[] = [];
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0 };
  let cost: number | null = 0;

  const deadline = new AbortController();
  const stopTimer = new AbortController();
  const onAbort = () => deadline.abort(options.signal.reason);
  options.signal.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  if (limits.time_limit !== undefined) {
    clock.sleep(limits.time_limit * 1000, stopTimer.signal).then(
      () => {
        timedOut = true;
        deadline.abort(new Error(`time limit of ${limits.time_limit} s`));
      },
      () => {},
    );
  }

  const used = (): AgentUsed => ({ messages: messages.length, tokens: usage.prompt_tokens + usage.completion_tokens, elapsedMs: clock.now() - start, costUsd: cost });
  const end = (stop: AgentStop, extra: { answer?: string | null; limit?: LimitHit; error?: ErrorInfo; cutOff?: CutOffCause } = {}): AgentResult => ({
    stop,
    answer: extra.answer ?? null,
    transcript: messages,
    steps,
    usage,
    cost_usd: cost,
    elapsed_ms: Math.round((clock.now() - start) * 100) / 100,
    ...(extra.limit ? { limit: extra.limit } : {}),
    ...(extra.error ? { error: extra.error } : {}),
    ...(extra.cutOff ? { cutOff: extra.cutOff } : {}),
  });
  const timeHit = (): LimitHit => ({ limit: "time_limit", value: limits.time_limit!, used: (clock.now() - start) / 1000 });

  try {
    for (;;) {
      const before = limitBeforeCall(limits, used());
      if (before) return end(before.limit, { limit: before });
      const outcome = await options.call(messages, deadline.signal);
      if (timedOut) return end("time_limit", { limit: timeHit() });
      if (outcome.error) return end("error", { error: outcome.error, ...(outcome.cutOff ? { cutOff: outcome.cutOff } : {}) });
      const reply = outcome.reply;
      if (reply.usage) {
        usage.prompt_tokens += reply.usage.prompt_tokens;
        usage.completion_tokens += reply.usage.completion_tokens;
      }
      cost = cost === null || outcome.cost_usd === null ? null : cost + outcome.cost_usd;
      const asked = reply.tool_calls ?? [];
      steps.push({ usage: reply.usage, cost_usd: outcome.cost_usd, timing: outcome.timing, finish_reason: reply.finish_reason, tool_calls: asked.length });
      // message_limit holds per tool call: a reply asking for more calls than there is room for
      // runs (and keeps in the transcript) only those that fit, then the loop stops at the limit.
      const room = Math.max(0, (limits.message_limit ?? DEFAULT_MESSAGE_LIMIT) - messages.length - 1);
      const calls = asked.length > room ? asked.slice(0, room) : asked;
      messages.push({ role: "assistant", content: reply.text, ...(asked.length ? { tool_calls: calls } : {}) });

      const after = limitAfterCall(limits, used());
      if (after) return end(after.limit, { limit: after });
      if (asked.length === 0) return end("answer", { answer: reply.text ?? "" });

      for (const call of calls) {
        let content: string;
        try {
          content = await toolset.execute(call, { signal: deadline.signal, doc: options.doc });
        } catch (e) {
          if (timedOut) return end("time_limit", { limit: timeHit() });
          if (options.signal.aborted) return end("error", { error: { type: "aborted", message: "the run stopped", attempts: 0 }, cutOff: "aborted" });
          content = `Error: ${(e as Error).message}`;
        }
        if (timedOut) return end("time_limit", { limit: timeHit() });
        messages.push({ role: "tool", tool_call_id: call.id, content });
      }
      if (calls.length < asked.length) {
        const value = limits.message_limit ?? DEFAULT_MESSAGE_LIMIT;
        return end("message_limit", { limit: { limit: "message_limit", value, used: messages.length + asked.length - calls.length } });
      }
    }
  } finally {
    stopTimer.abort();
    options.signal.removeEventListener("abort", onAbort);
  }
}
