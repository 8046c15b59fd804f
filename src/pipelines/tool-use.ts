import { defer, mergeMap, pipe } from "rxjs";
import { judgeMetrics } from "../operators/judge-metrics.js";
import { type AgentResult, type ModelCall, runAgent } from "../agent/agent-loop.js";
import { builtinTools } from "../agent/builtin-tools.js";
import { cannedToolset } from "../agent/canned-tools.js";
import { registryToolset, type ToolRegistry, type Toolset } from "../agent/tools.js";
import { createContextFitter } from "../context/context-fitter.js";
import type { ChatRequest } from "../work/model.js";
import { inferOne } from "../operators/infer.js";
import { cutAtStop } from "../operators/score.js";
import { scoreSimpleCall } from "../scorers/bfcl-score.js";
import type { ConversationConfig } from "../tasks/conversation-keys.js";
import { scoreResponse } from "../tasks/score.js";
import type { ChatMessage, ResultLine } from "../types.js";
import { prepareToolUse, type ToolUsePrepared } from "./tool-use-prepare.js";
import { chatRequestOf } from "./chat-request.js";
import { type Inferred, type Outcome, outcomeOf, type WorkItem } from "../work/work-item.js";
import type { PipelineContext } from "../operators/pipeline-context.js";
import type { PipelineDef } from "./types.js";

/** The metric of expected-call scoring: 1 when the BFCL checker accepts the call. */
export const CALL_ACCURACY = "call_accuracy,none";

/** The code tools a tool_use pipeline's agent tasks may name. */
export interface ToolUseOptions {
  /** Code tools an agent task may name in `agent.tools` (default: the built-in ones). */
  readonly tools?: ToolRegistry;
}

/**
 * `output_type: tool_use`. Without `agent`: one request with the sample's tools; with
 * `expected_calls`, the reply's tool calls are scored as BFCL scores the simple category
 * (`call_accuracy`), else the reply text by the task's metrics. With `agent`: the agent loop runs
 * the model's tool calls — code tools from the registry, or the sample's canned outputs — until it
 * answers or a limit stops it, and the answer is scored by the task's metrics.
 */
export function createToolUse(options: ToolUseOptions = {}): PipelineDef<ToolUsePrepared> {
  const registry = options.tools ?? builtinTools;
  return {
    prepare: prepareToolUse,
    create: (context) =>
      pipe(
        mergeMap((work: WorkItem<ToolUsePrepared>) => defer(() => (configOf(work).agent ? runAgentItem(context, work, registry) : runSingle(context, work)))),
        judgeMetrics(context),
      ),
  };
}

/** `output_type: tool_use` with the built-in code tools (see createToolUse). */
export const toolUse: PipelineDef<ToolUsePrepared> = createToolUse();

const configOf = (work: WorkItem) => work.task.config as ConversationConfig;

function request(work: WorkItem<ToolUsePrepared>, messages: readonly ChatMessage[]): ChatRequest {
  const p = work.prepared;
  const base = chatRequestOf(work, messages, p.temperature ?? work.task.generation.temperature);
  return p.tools.length ? { ...base, tools: p.tools } : base;
}

function baseLine(work: WorkItem<ToolUsePrepared>): ResultLine {
  return { id: work.key.id, task: work.key.task, model: work.key.model, repeat: work.key.repeat, status: "ok", input: work.prepared.input, target: work.prepared.target };
}

async function runSingle(context: PipelineContext, work: WorkItem<ToolUsePrepared>): Promise<Outcome<ToolUsePrepared>> {
  const p = work.prepared;
  const inferred: Inferred<ToolUsePrepared> = await inferOne(context, work, (w) => request(w, p.messages));
  const { timing } = inferred;
  const line = baseLine(work);
  if (inferred.kind === "error") return outcomeOf(work, { ...line, status: "error", timing, error: inferred.error }, inferred.cutOff);
  const { reply } = inferred;
  const response = cutAtStop(reply.text ?? "", work.task.generation.stop);
  const common = { ...line, response, tool_calls: reply.tool_calls ?? [], usage: reply.usage ?? undefined, cost_usd: inferred.cost_usd, timing, ...(inferred.served_by ? { served_by: inferred.served_by } : {}) };
  if (p.expected) {
    const scored = scoreSimpleCall(reply.tool_calls, p.expected.func, p.expected.possible, { underscoreToDot: p.expected.underscoreToDot });
    return outcomeOf(work, { ...common, calls: scored.calls, check: scored.check, scores: { [CALL_ACCURACY]: scored.score } });
  }
  const scored = work.task.metrics.length ? scoreResponse(work.task, response, p.target) : undefined;
  return outcomeOf(work, { ...common, ...(scored ? { filtered: scored.filtered, scores: scored.scores } : {}) });
}

async function runAgentItem(context: PipelineContext, work: WorkItem<ToolUsePrepared>, registry: ToolRegistry): Promise<Outcome<ToolUsePrepared>> {
  const p = work.prepared;
  const agent = configOf(work).agent!;
  const line = baseLine(work);
  let toolset: Toolset;
  try {
    toolset = agent.tools ? registryToolset(registry, agent.tools) : cannedToolset(p.tools, p.cannedOutputs ?? {});
  } catch (e) {
    return outcomeOf(work, { ...line, status: "error", error: { type: "config", message: (e as Error).message, attempts: 0 } });
  }
  if (agent.cost_limit !== undefined && !context.prices.get(work.key.model)) {
    return outcomeOf(work, { ...line, status: "error", error: { type: "config", message: `agent.cost_limit needs a price for model ${work.key.model} (--price)`, attempts: 0 } });
  }
  const fitter = await createContextFitter(configOf(work).context_window, context.contextWindows?.get(work.key.model), work.task.generation.max_tokens, work.key.model);
  let droppedTurns = 0;
  const call: ModelCall = async (messages, signal) => {
    let sent = messages;
    if (fitter) {
      const fit = fitter.fit(messages);
      if (!fit.ok) return { timing: { e2e_ms: 0, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 0 }, cost_usd: null, error: { type: "context_overflow", message: fit.message, attempts: 0 } };
      sent = fit.messages;
      droppedTurns = Math.max(droppedTurns, fit.droppedTurns);
    }
    // The loop's signal also carries its time limit.
    return inferOne({ ...context, signal }, work, (w) => ({ ...request(w, sent), tools: toolset.tools }));
  };
  const { message_limit, token_limit, time_limit, cost_limit } = agent;
  const limits = { message_limit, token_limit, time_limit, cost_limit };
  const result = await runAgent({ messages: p.messages, toolset, call, limits, clock: context.clock, signal: context.signal, doc: work.sample.doc });
  return outcomeOf(work, agentLine(work, line, result, fitter ? { window: fitter.window, dropped_turns: droppedTurns } : undefined), result.cutOff);
}

function agentLine(work: WorkItem<ToolUsePrepared>, line: ResultLine, r: AgentResult, context: { window: number; dropped_turns: number } | undefined): ResultLine {
  const attempts = r.steps.reduce((n, s) => n + s.timing.attempts, 0) + (r.error?.attempts ?? 0);
  const timing = {
    e2e_ms: r.elapsed_ms,
    ttft_ms: r.steps[0]?.timing.ttft_ms ?? null,
    tpot_ms: null,
    queue_ms: r.steps.reduce((n, s) => n + s.timing.queue_ms, 0),
    attempts,
  };
  const common = {
    ...line,
    response: r.answer,
    transcript: r.transcript,
    agent: { stop: r.stop, steps: r.steps.length, tool_calls: r.steps.reduce((n, s) => n + s.tool_calls, 0), ...(r.limit ? { limit: r.limit } : {}) },
    usage: r.usage,
    cost_usd: r.cost_usd,
    timing,
    requests: r.steps.length + (r.error && r.error.attempts > 0 ? 1 : 0),
    ...(context ? { context } : {}),
  };
  if (r.stop === "error") return { ...common, status: "error", error: r.error };
  const answer = cutAtStop(r.answer ?? "", work.task.generation.stop);
  const scored = work.task.metrics.length ? scoreResponse(work.task, answer, line.target ?? "") : undefined;
  return { ...common, ...(scored ? { filtered: scored.filtered, scores: scored.scores } : {}) };
}
