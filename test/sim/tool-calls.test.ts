import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { extractRating } from "../../src/scorers/judge-prompts.js";
import { clientFor } from "./helpers.js";

const tools = [
  { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city", "days"] } } },
];
const question = "What is the weather in Paris for the next 3 days?";
const right = JSON.stringify({ name: "get_weather", arguments: '{"city": "Paris", "days": 3}' });

describe("sim: tool calls and judge prompts", () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSim({ answerKey: new Map([[question, right]]), accuracy: 1 });
  });
  afterAll(() => sim.close());

  it("streams a tool call in pieces, as OpenAI does", async () => {
    const stream = await clientFor(sim).chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: question }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: unknown[] = [];
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        if (c.delta.tool_calls) deltas.push(...c.delta.tool_calls);
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: "" } });
    const pieces = deltas.slice(1).map((d) => (d as { function: { arguments: string } }).function.arguments);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe('{"city": "Paris", "days": 3}');
    expect(finish).toBe("tool_calls");
    expect(usage).toMatchObject({ completion_tokens: 3 + pieces.length });
  });

  it("returns the whole call when not streamed, and a changed one when it is to be wrong", async () => {
    const res = await clientFor(sim).chat.completions.create({ model: "m", messages: [{ role: "user", content: question }], tools });
    expect(res.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { content: null, tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city": "Paris", "days": 3}' } }] } });
    const wrongSim = await startSim({ answerKey: new Map([[question, right]]), accuracy: 0 });
    try {
      const wrong = await clientFor(wrongSim).chat.completions.create({ model: "m", messages: [{ role: "user", content: question }], tools });
      const call = wrong.choices[0]!.message.tool_calls![0]!;
      expect(call.type === "function" && call.function.arguments).toBe('{"city":"not Paris","days":3}');
    } finally {
      await wrongSim.close();
    }
  });

  it("answers with the tool's result once it has one", async () => {
    const res = await clientFor(sim).chat.completions.create({
      model: "m",
      tools,
      messages: [
        { role: "user", content: question },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: "Sunny" },
      ],
    });
    expect(res.choices[0]!.message.content).toMatch(/So the answer is Sunny\.\n#### Sunny$/);
  });

  it("rates an answer when asked for [[rating]], the same way every time", async () => {
    const ask = () =>
      clientFor(sim).chat.completions.create({
        model: "judge",
        messages: [{ role: "user", content: 'Rate it by strictly following this format: "[[rating]]", for example: "Rating: [[5]]".\n\nAnswer: 42' }],
      });
    const [a, b] = await Promise.all([ask(), ask()]);
    const rating = extractRating(a.choices[0]!.message.content!);
    expect(rating).toBeGreaterThanOrEqual(1);
    expect(rating).toBeLessThanOrEqual(10);
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
  });
});

describe("extractRating", () => {
  it("reads FastChat's [[N]], else [N], else nothing", () => {
    expect(extractRating("Good. Rating: [[8]]")).toBe(8);
    expect(extractRating("Rating: [[7.5]] and later [[9]]")).toBe(7.5);
    expect(extractRating("Rating: [6]")).toBe(6);
    expect(extractRating("Rating: eight")).toBeNull();
  });
});
