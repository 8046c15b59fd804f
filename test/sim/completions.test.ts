import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, tokenize, type SimServer } from "../../src/sim/index.js";
import { clientFor } from "./helpers.js";

describe("POST /v1/completions through the openai SDK", () => {
  let sim: SimServer;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSim({ seed: 7 });
    client = clientFor(sim);
  });
  afterAll(() => sim.close());

  const context = "Question: What is the capital of France?\nAnswer:";
  const continuation = " Paris";

  it("echoes the prompt with its token logprobs, the first null, for loglikelihood (max_tokens 0)", async () => {
    const r = await client.completions.create({ model: "m", prompt: context + continuation, echo: true, logprobs: 1, max_tokens: 0 });
    const choice = r.choices[0]!;
    expect(choice.text).toBe(context + continuation);
    expect(choice.finish_reason).toBe("length");
    const lp = choice.logprobs!;
    expect(lp.tokens).toEqual(tokenize(context + continuation));
    expect(lp.token_logprobs![0]).toBeNull();
    expect(lp.top_logprobs![0]).toBeNull();
    expect(lp.token_logprobs!.slice(1).every((v) => typeof v === "number" && v < 0)).toBe(true);
    expect(lp.text_offset![0]).toBe(0);
    expect(r.usage).toMatchObject({ prompt_tokens: lp.tokens!.length, completion_tokens: 0 });
  });

  it("scores a continuation as lm-evaluation-harness does with max_tokens 1 ([ctxlen:-1])", async () => {
    const ctxlen = tokenize(context).length;
    const score = async () => {
      const r = await client.completions.create({ model: "m", prompt: context + continuation, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 });
      const lp = r.choices[0]!.logprobs!;
      expect(lp.tokens!.length).toBe(tokenize(context + continuation).length + 1);
      const logprobs = lp.token_logprobs!.slice(ctxlen, -1);
      const tops = lp.top_logprobs!.slice(ctxlen, -1) as Record<string, number>[];
      return { sum: logprobs.reduce((a, b) => a + b, 0), greedy: logprobs.every((v, i) => v === Math.max(...Object.values(tops[i]!))) };
    };
    const a = await score();
    expect(Number.isFinite(a.sum)).toBe(true);
    expect(a.sum).toBeLessThan(0);
    expect(await score()).toEqual(a);
  });

  it("answers a batch of prompts with choices indexed prompt * n + choice", async () => {
    const prompts = ["Question: one?\nAnswer:", "Question: two?\nAnswer:"];
    const r = await client.completions.create({ model: "m", prompt: prompts, n: 2, max_tokens: 50 });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    const single = await client.completions.create({ model: "m", prompt: prompts[1]!, n: 2, max_tokens: 50 });
    expect(r.choices.slice(2).map((c) => c.text)).toEqual(single.choices.map((c) => c.text));
    expect(r.usage!.prompt_tokens).toBe(tokenize(prompts[0]!).length + tokenize(prompts[1]!).length);
  });

  it("defaults max_tokens to 16, as OpenAI and vLLM do, and honours stop", async () => {
    const r = await client.completions.create({ model: "m", prompt: "Question: x?\nAnswer:" });
    expect(tokenize(r.choices[0]!.text)).toHaveLength(16);
    expect(r.choices[0]!.finish_reason).toBe("length");
    const full = await client.completions.create({ model: "m", prompt: "Question: x?\nAnswer:", max_tokens: 200 });
    expect(full.choices[0]!.text).toMatch(/#### \d+$/);
    expect(full.choices[0]!.finish_reason).toBe("stop");
    const cut = await client.completions.create({ model: "m", prompt: "Question: x?\nAnswer:", max_tokens: 200, stop: ["\n\n", "####"] });
    expect(cut.choices[0]!.text).toBe(full.choices[0]!.text.slice(0, full.choices[0]!.text.indexOf("####")));
  });

  it("streams text chunks and a usage chunk", async () => {
    const full = await client.completions.create({ model: "m", prompt: "Question: y?\nAnswer:", max_tokens: 200 });
    const s = await client.completions.create({ model: "m", prompt: "Question: y?\nAnswer:", max_tokens: 200, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage;
    for await (const c of s) {
      text += c.choices[0]?.text ?? "";
      usage = c.usage ?? usage;
    }
    expect(text).toBe(full.choices[0]!.text);
    expect(usage).toEqual(full.usage);
  });

  it("refuses token-id prompts, logprobs over 20 and streamed logprobs", async () => {
    await expect(client.completions.create({ model: "m", prompt: [1, 2, 3] })).rejects.toMatchObject({ status: 400, param: "prompt" });
    await expect(client.completions.create({ model: "m", prompt: "x", logprobs: 21 })).rejects.toMatchObject({ status: 400, param: "logprobs" });
    await expect(client.completions.create({ model: "m", prompt: "x", logprobs: 1, stream: true })).rejects.toMatchObject({ status: 400, param: "logprobs" });
  });
});
