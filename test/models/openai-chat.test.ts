import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyApiError } from "../../src/errors/classify-api-error.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { type SimServer, startSim } from "../../src/sim/index.js";

let sim: SimServer;
let dropNext = false;
beforeAll(async () => {
  sim = await startSim({ port: 0, ttftMs: 30, itlMs: 2, seed: 1, faults: () => (dropNext ? ((dropNext = false), { dropAfterChunks: 2 }) : undefined) });
});
afterAll(() => sim.close());

const ask = { model: "m", messages: [{ role: "user" as const, content: "Question: what is 2 + 2?\nAnswer:" }], max_tokens: 64 };

describe("openAIChat over the real SDK", () => {
  it("streams: text, usage from the include_usage chunk, and a measured TTFT", async () => {
    const client = openAIChat({ model: "m", baseURL: sim.url, apiKey: "k" });
    const reply = await client.chat(ask, { signal: new AbortController().signal });
    expect(reply.text?.length).toBeGreaterThan(0);
    expect(reply.finish_reason).toBe("stop");
    expect(reply.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(reply.usage?.completion_tokens).toBeGreaterThan(0);
    expect(reply.ttft_ms).not.toBeNull();
    expect(reply.ttft_ms!).toBeGreaterThanOrEqual(25);
    expect(reply.e2e_ms).toBeGreaterThanOrEqual(reply.ttft_ms!);
  });

  it("not streamed: the same text, and ttft_ms is null (never an estimate)", async () => {
    const streamed = await openAIChat({ model: "m", baseURL: sim.url, apiKey: "k" }).chat(ask, { signal: new AbortController().signal });
    const plain = await openAIChat({ model: "m", baseURL: sim.url, apiKey: "k", stream: false }).chat(ask, { signal: new AbortController().signal });
    expect(plain.text).toBe(streamed.text);
    expect(plain.ttft_ms).toBeNull();
    expect(plain.usage).toEqual(streamed.usage);
  });

  it("passes stop sequences, cutting the list to the API's 4", async () => {
    const client = openAIChat({ model: "m", baseURL: sim.url, apiKey: "k" });
    const full = await client.chat(ask, { signal: new AbortController().signal });
    const word = full.text!.split(" ")[2]!;
    const cut = await client.chat({ ...ask, stop: ["zzz1", "zzz2", "zzz3", word, "never-sent"] }, { signal: new AbortController().signal });
    expect(cut.text).toBe(full.text!.slice(0, full.text!.indexOf(word)));
  });

  it("a stream dropped before finish_reason is an error, never a short answer", async () => {
    dropNext = true;
    const client = openAIChat({ model: "m", baseURL: sim.url, apiKey: "k" });
    const error = await client.chat(ask, { signal: new AbortController().signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(classifyApiError(error).kind).toBe("retryable");
  });

  it("aborting the signal cancels the request", async () => {
    const client = openAIChat({ model: "m", baseURL: sim.url, apiKey: "k" });
    const ac = new AbortController();
    const p = client.chat(ask, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});
