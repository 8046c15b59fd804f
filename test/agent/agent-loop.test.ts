import { describe, expect, it } from "vitest";
import * as z from "zod";
import { type CallOutcome, type ModelCall, runAgent } from "../../src/agent/agent-loop.js";
import { calculator, evaluateArithmetic } from "../../src/agent/builtin-tools.js";
import { cannedToolset } from "../../src/agent/canned-tools.js";
import { defineTool, registryToolset, toolRegistry } from "../../src/agent/tools.js";
import type { ChatMessage, ToolCall } from "../../src/types.js";
import { ManualClock } from "./manual-clock.js";

const timing = { e2e_ms: 1, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 1 };
const toolCall = (name: string, args: unknown, id = "call_1"): ToolCall => ({ id, type: "function", function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args) } });
const outcome = (text: string | null, calls: ToolCall[] = [], usage = { prompt_tokens: 10, completion_tokens: 5 }, cost = 0.01): CallOutcome => ({
  reply: { text, tool_calls: calls.length ? calls : undefined, finish_reason: calls.length ? "tool_calls" : "stop", usage, ttft_ms: null, e2e_ms: 1 },
  timing,
  cost_usd: cost,
});

/** A model that replays `script`, recording the conversation each call was sent. */
function scripted(script: ((n: number) => CallOutcome | Promise<CallOutcome>)[]): { call: ModelCall; sent: ChatMessage[][] } {
  const sent: ChatMessage[][] = [];
  return {
    sent,
    call: async (messages) => {
      sent.push([...messages]);
      const step = script[Math.min(sent.length - 1, script.length - 1)]!;
      return step(sent.length);
    },
  };
}

const question: ChatMessage[] = [{ role: "user", content: "What is (2 + 3) * 4?" }];
const tools = registryToolset(toolRegistry([calculator]), ["calculator"]);
const base = { messages: question, toolset: tools, signal: new AbortController().signal, doc: {} };
const loop = () => scripted([() => outcome(null, [toolCall("calculator", { expression: "1 + 1" })])]);

describe("runAgent", () => {
  it("runs tool calls until the model answers, with every call and result in the transcript", async () => {
    const model = scripted([
      () => outcome(null, [toolCall("calculator", { expression: "(2 + 3) * 4" })]),
      () => outcome(null, [toolCall("calculator", { expr: 1 }, "call_2"), toolCall("nope", {}, "call_3")]),
      () => outcome("The answer is 20."),
    ]);
    const result = await runAgent({ ...base, call: model.call, limits: {}, clock: new ManualClock() });
    expect(result).toMatchObject({ stop: "answer", answer: "The answer is 20.", usage: { prompt_tokens: 30, completion_tokens: 15 }, cost_usd: 0.03 });
    expect(result.transcript.map((m) => [m.role, m.content])).toEqual([
      ["user", "What is (2 + 3) * 4?"],
      ["assistant", null],
      ["tool", "20"],
      ["assistant", null],
      ["tool", "Error: invalid arguments for `calculator`: ✖ Invalid input: expected string, received undefined;   → at expression"],
      ["tool", "Error: unknown tool `nope` (available: calculator)"],
      ["assistant", "The answer is 20."],
    ]);
    expect(result.transcript[1]!.tool_calls?.[0]?.function.name).toBe("calculator");
    expect(result.transcript[2]!.tool_call_id).toBe("call_1");
    // The third call was sent the whole conversation, tool results included.
    expect(model.sent[2]).toHaveLength(6);
    expect(result.steps).toHaveLength(3);
  });

  it("holds message_limit per tool call: a reply asking for 200k calls runs only those that fit (issue 21, case 9)", async () => {
    const many = Array.from({ length: 200_000 }, (_, i) => toolCall("calculator", { expression: "1 + 1" }, `call_${i}`));
    let executed = 0;
    const counting = registryToolset(toolRegistry([{ ...calculator, run: (args: { expression: string }, ctx: never) => (executed++, calculator.run(args, ctx)) }]), ["calculator"]);
    const model = scripted([() => outcome(null, many)]);
    const result = await runAgent({ ...base, toolset: counting, call: model.call, limits: { message_limit: 10 }, clock: new ManualClock() });
    expect(result.stop).toBe("message_limit");
    expect(executed).toBe(8);
    expect(result.transcript).toHaveLength(10);
    expect(result.transcript[1]!.tool_calls).toHaveLength(8);
    expect(result.limit).toEqual({ limit: "message_limit", value: 10, used: 10 + 200_000 - 8 });
    expect(JSON.stringify(result).length).toBeLessThan(10_000);
  });

  it("stops at message_limit before a call or a tool result would exceed it", async () => {
    const result = await runAgent({ ...base, call: loop().call, limits: { message_limit: 6 }, clock: new ManualClock() });
    expect(result.stop).toBe("message_limit");
    // The sixth message asks for a tool call that would be the seventh: it is not run.
    expect(result.limit).toEqual({ limit: "message_limit", value: 6, used: 7 });
    expect(result.transcript).toHaveLength(6);
    expect(result.answer).toBeNull();
  });

  it("stops at token_limit once the calls used more tokens", async () => {
    const result = await runAgent({ ...base, call: loop().call, limits: { token_limit: 40 }, clock: new ManualClock() });
    expect(result).toMatchObject({ stop: "token_limit", limit: { limit: "token_limit", value: 40, used: 45 } });
    expect(result.steps).toHaveLength(3);
  });

  it("stops at cost_limit once the calls cost more", async () => {
    const result = await runAgent({ ...base, call: loop().call, limits: { cost_limit: 0.025 }, clock: new ManualClock() });
    expect(result.stop).toBe("cost_limit");
    expect(result.limit?.used).toBeCloseTo(0.03, 12);
  });

  it("stops at time_limit between calls, by the injected clock", async () => {
    const clock = new ManualClock();
    const model = scripted([
      () => {
        clock.advance(40_000);
        return outcome(null, [toolCall("calculator", { expression: "1" })]);
      },
    ]);
    const result = await runAgent({ ...base, call: model.call, limits: { time_limit: 60 }, clock });
    expect(result).toMatchObject({ stop: "time_limit", limit: { limit: "time_limit", value: 60, used: 80 } });
    expect(model.sent).toHaveLength(2);
  });

  it("cuts a call in flight at time_limit", async () => {
    const clock = new ManualClock();
    const hung: ModelCall = (_messages, signal) =>
      new Promise((resolve) => {
        signal.addEventListener("abort", () => resolve({ timing, cost_usd: null, error: { type: "aborted", message: "aborted", attempts: 1 } }));
        clock.advance(61_000);
      });
    const result = await runAgent({ ...base, call: hung, limits: { time_limit: 60 }, clock });
    expect(result).toMatchObject({ stop: "time_limit", limit: { limit: "time_limit", value: 60, used: 61 } });
  });

  it("ends with the error of a failed call", async () => {
    const failing: ModelCall = async () => ({ timing, cost_usd: null, error: { type: "bad_request", message: "context too long", attempts: 1 } });
    const result = await runAgent({ ...base, call: failing, limits: {}, clock: new ManualClock() });
    expect(result).toMatchObject({ stop: "error", error: { type: "bad_request" } });
    expect(result.cutOff).toBeUndefined();
  });

  it("ends cut off, not failed, when its call was cut off (budget) or the run's signal stopped a tool", async () => {
    const refused: ModelCall = async () => ({ timing, cost_usd: null, error: { type: "budget", message: "budget: used up", attempts: 0 }, cutOff: "budget" });
    expect(await runAgent({ ...base, call: refused, limits: {}, clock: new ManualClock() })).toMatchObject({ stop: "error", cutOff: "budget" });
    const stop = new AbortController();
    const stopping = registryToolset(toolRegistry([defineTool({ name: "wait", description: "waits", parameters: z.object({}), run: async () => { stop.abort(new Error("stop")); throw new Error("stopped"); } })]), ["wait"]);
    const result = await runAgent({ ...base, toolset: stopping, signal: stop.signal, call: scripted([() => outcome(null, [toolCall("wait", {})])]).call, limits: {}, clock: new ManualClock() });
    expect(result).toMatchObject({ stop: "error", error: { type: "aborted" }, cutOff: "aborted" });
  });

  it("validates limits", async () => {
    await expect(runAgent({ ...base, call: loop().call, limits: { time_limit: 0 }, clock: new ManualClock() })).rejects.toThrow("Expected `time_limit` to be a number > 0, got 0");
  });
});

describe("tools", () => {
  it("answers from canned outputs in order, and never runs them", async () => {
    const toolset = cannedToolset([], { search: ["first", { hits: 2 }], shell: "require('child_process').execSync('touch /tmp/pwned')" });
    const ctx = { signal: new AbortController().signal, doc: {} };
    expect(await toolset.execute(toolCall("search", {}), ctx)).toBe("first");
    expect(await toolset.execute(toolCall("search", {}), ctx)).toBe('{"hits":2}');
    expect(await toolset.execute(toolCall("search", {}), ctx)).toBe('{"hits":2}');
    expect(await toolset.execute(toolCall("shell", {}), ctx)).toBe("require('child_process').execSync('touch /tmp/pwned')");
    expect(await toolset.execute(toolCall("other", {}), ctx)).toBe("Error: unknown tool `other` (available: search, shell)");
  });

  it("validates arguments with zod and reports a throwing tool to the model", async () => {
    const flaky = defineTool({ name: "flaky", description: "fails", parameters: z.object({ n: z.int() }), run: async ({ n }) => { throw new Error(`boom ${n}`); } });
    const toolset = registryToolset(toolRegistry([flaky]), ["flaky"]);
    const ctx = { signal: new AbortController().signal, doc: {} };
    expect(await toolset.execute(toolCall("flaky", { n: 3 }), ctx)).toBe("Error: boom 3");
    expect(await toolset.execute(toolCall("flaky", "{n: 3}"), ctx)).toMatch(/^Error: the arguments are not valid JSON/);
    expect(toolset.tools[0]!.function.parameters).toMatchObject({ type: "object", properties: { n: { type: "integer" } }, required: ["n"] });
    expect(() => registryToolset(toolRegistry([flaky]), ["calculator"])).toThrow("unknown tool `calculator` (available: flaky)");
    expect(() => defineTool({ ...flaky, name: "bad name" })).toThrow(/Expected a tool name/);
  });

  it("evaluates arithmetic without eval", () => {
    expect(evaluateArithmetic("(2 + 3) * 4 - 2 ^ 3 / 4")).toBe(18);
    expect(evaluateArithmetic("-1.5 * 2 % 2")).toBe(-1);
    expect(() => evaluateArithmetic("process.exit(1)")).toThrow(SyntaxError);
  });
});
