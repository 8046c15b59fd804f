import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, tokenize, type SimServer } from "../../src/sim/index.js";
import { clientFor } from "./helpers.js";

const question = "Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins with four.";
const messages = [{ role: "user" as const, content: `Question: ${question}\nAnswer:` }];

describe("startSim through the openai SDK", () => {
  let sim: SimServer;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSim({ answerKey: new Map([[question, "18"]]), accuracy: 1 });
    client = clientFor(sim);
  });
  afterAll(() => sim.close());

  it("listens on loopback and gives a /v1 base URL", () => {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/v1`);
    expect(sim.port).toBeGreaterThan(0);
  });

  it("answers a non-streamed chat completion with the known answer and usage", async () => {
    const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("gpt-4o-mini");
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0]!.message.role).toBe("assistant");
    expect(r.choices[0]!.message.content).toMatch(/#### 18$/);
    expect(r.choices[0]!.finish_reason).toBe("stop");
    const completionTokens = tokenize(r.choices[0]!.message.content!).length;
    const promptTokens = tokenize(messages[0]!.content).length + 3 + 3;
    expect(r.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens });
    expect(r._request_id).toMatch(/^req_sim\d+$/);
  });

  it("streams the same reply, one chunk per token, with the include_usage chunk last", async () => {
    const plain = await client.chat.completions.create({ model: "m", messages });
    const stream = await client.chat.completions.create({ model: "m", messages, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentChunks).toHaveLength(plain.usage!.completion_tokens);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(plain.usage);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
  });

  it("sends no usage chunk when a stream does not ask for it", async () => {
    const stream = await client.chat.completions.create({ model: "m", messages, stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("cuts the reply at the first stop sequence", async () => {
    const r = await client.chat.completions.create({ model: "m", messages, stop: ["answer", "####"] });
    const full = (await client.chat.completions.create({ model: "m", messages })).choices[0]!.message.content!;
    expect(r.choices[0]!.message.content).toBe(full.slice(0, full.indexOf("answer")));
    expect(r.choices[0]!.finish_reason).toBe("stop");
    const streamed = await client.chat.completions.create({ model: "m", messages, stop: "####", stream: true });
    let text = "";
    for await (const c of streamed) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe(full.slice(0, full.indexOf("####")));
  });

  it("truncates at max_tokens or max_completion_tokens with finish_reason length", async () => {
    const r = await client.chat.completions.create({ model: "m", messages, max_tokens: 4 });
    expect(tokenize(r.choices[0]!.message.content!)).toHaveLength(4);
    expect(r.choices[0]!.finish_reason).toBe("length");
    expect(r.usage!.completion_tokens).toBe(4);
    const s = await client.chat.completions.create({ model: "m", messages, max_completion_tokens: 2, stream: true });
    const finishes = [];
    let text = "";
    for await (const c of s) {
      text += c.choices[0]?.delta.content ?? "";
      if (c.choices[0]?.finish_reason) finishes.push(c.choices[0].finish_reason);
    }
    expect(tokenize(text)).toHaveLength(2);
    expect(finishes).toEqual(["length"]);
  });

  it("returns n choices, streamed or not, with usage summed over them", async () => {
    const r = await client.chat.completions.create({ model: "m", messages, n: 3 });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    const sum = r.choices.reduce((s, c) => s + tokenize(c.message.content!).length, 0);
    expect(r.usage!.completion_tokens).toBe(sum);
    const s = await client.chat.completions.create({ model: "m", messages, n: 3, stream: true });
    const texts = ["", "", ""];
    for await (const c of s) for (const ch of c.choices) texts[ch.index] += ch.delta.content ?? "";
    expect(texts).toEqual(r.choices.map((c) => c.message.content));
  });

  it("gives the same prompt the same reply on another server with the same seed", async () => {
    const other = await startSim({ answerKey: new Map([[question, "18"]]), accuracy: 1 });
    try {
      const a = await client.chat.completions.create({ model: "m", messages, n: 2 });
      const b = await clientFor(other).chat.completions.create({ model: "m", messages, n: 2 });
      expect(b.choices.map((c) => c.message.content)).toEqual(a.choices.map((c) => c.message.content));
    } finally {
      await other.close();
    }
  });

  it("takes text content parts and a system message", async () => {
    const r = await client.chat.completions.create({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: `Question: ${question}` }] },
      ],
    });
    expect(r.choices[0]!.message.content).toMatch(/#### 18$/);
  });

  it("refuses bad parameters with OpenAI's 400 error shape", async () => {
    const err = await client.chat.completions.create({ model: "m", messages, n: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({
      status: 400,
      param: "n",
      code: "integer_above_max_value",
      type: "invalid_request_error",
      message: "400 Invalid 'n': integer above maximum value. Expected a value <= 128, but got 200 instead.",
    });
    await expect(client.chat.completions.create({ model: "m", messages: [] })).rejects.toMatchObject({ status: 400, param: "messages" });
    await expect(client.chat.completions.create({ model: "m", messages, max_tokens: 0 })).rejects.toMatchObject({ status: 400, code: "integer_below_min_value" });
    await expect(client.chat.completions.create({ model: "m", messages, stream_options: { include_usage: true } })).rejects.toMatchObject({ status: 400, param: "stream_options" });
    await expect(client.post("/chat/completions", { body: { messages } })).rejects.toMatchObject({ status: 400, code: "missing_required_parameter", param: "model" });
  });

  it("answers an unknown path with 404 Invalid URL and a bad JSON body with 400", async () => {
    await expect(client.post("/embeddings", { body: { input: "x" } })).rejects.toMatchObject({ status: 404, message: "404 Invalid URL (POST /v1/embeddings)" });
    const res = await fetch(`${sim.url}/chat/completions`, { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^We could not parse the JSON body/);
  });

  it("lists and retrieves models", async () => {
    const list = [];
    for await (const m of client.models.list()) list.push(m.id);
    expect(list).toEqual(["sim"]);
    expect((await client.models.retrieve("anything")).id).toBe("anything");
  });

  it("counts requests, statuses and tokens in stats()", async () => {
    const before = sim.stats();
    const r = await client.chat.completions.create({ model: "m", messages });
    await client.chat.completions.create({ model: "m", messages, n: 999 }).catch(() => undefined);
    const after = sim.stats();
    expect(after.requests - before.requests).toBe(2);
    expect((after.byStatus["200"] ?? 0) - (before.byStatus["200"] ?? 0)).toBe(1);
    expect((after.byStatus["400"] ?? 0) - (before.byStatus["400"] ?? 0)).toBe(1);
    expect(after.promptTokens - before.promptTokens).toBe(r.usage!.prompt_tokens);
    expect(after.completionTokens - before.completionTokens).toBe(r.usage!.completion_tokens);
    expect(after.inFlight).toBe(0);
    expect(after.maxInFlight).toBeGreaterThanOrEqual(1);
  });
});

describe("startSim options", () => {
  it("requires the API key when one is set, like OpenAI (401 invalid_api_key)", async () => {
    const sim = await startSim({ apiKey: "sk-right" });
    try {
      const err = await clientFor(sim, { apiKey: "sk-wrong" }).chat.completions.create({ model: "m", messages }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err).toMatchObject({ status: 401, code: "invalid_api_key" });
      expect((err as Error).message).not.toContain("sk-wrong");
      const ok = await clientFor(sim, { apiKey: "sk-right" }).chat.completions.create({ model: "m", messages });
      expect(ok.choices).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });

  it("rejects unknown models with 404 model_not_found when models are listed", async () => {
    const sim = await startSim({ models: ["gpt-4o-mini"] });
    try {
      const client = clientFor(sim);
      const err = await client.chat.completions.create({ model: "gpt-5", messages }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err).toMatchObject({ status: 404, code: "model_not_found", message: "404 The model `gpt-5` does not exist or you do not have access to it." });
      await expect(client.completions.create({ model: "gpt-5", prompt: "x" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
      expect((await client.chat.completions.create({ model: "gpt-4o-mini", messages })).model).toBe("gpt-4o-mini");
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).toEqual(["gpt-4o-mini"]);
      await expect(client.models.retrieve("gpt-5")).rejects.toMatchObject({ status: 404 });
    } finally {
      await sim.close();
    }
  });

  it("leaves usage out when usage is false", async () => {
    const sim = await startSim({ usage: false });
    try {
      const client = clientFor(sim);
      expect((await client.chat.completions.create({ model: "m", messages })).usage).toBeUndefined();
      const s = await client.chat.completions.create({ model: "m", messages, stream: true, stream_options: { include_usage: true } });
      const chunks = [];
      for await (const c of s) chunks.push(c);
      expect(chunks.every((c) => c.choices.length === 1 && c.usage == null)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it("matches the answer key by sample id (metadata or x-sample-id header) and by function", async () => {
    const byId = await startSim({ answerKey: new Map([["s-1", "77"]]), accuracy: 1 });
    const byFn = await startSim({ answerKey: (prompt) => (prompt.includes("ducks") ? "5" : undefined), accuracy: 1 });
    try {
      const a = await clientFor(byId).chat.completions.create({ model: "m", messages, metadata: { sample_id: "s-1" } });
      expect(a.choices[0]!.message.content).toMatch(/#### 77$/);
      const b = await clientFor(byId).chat.completions.create({ model: "m", messages }, { headers: { "x-sample-id": "s-1" } });
      expect(b.choices[0]!.message.content).toMatch(/#### 77$/);
      const c = await clientFor(byFn).chat.completions.create({ model: "m", messages });
      expect(c.choices[0]!.message.content).toMatch(/#### 5$/);
    } finally {
      await Promise.all([byId.close(), byFn.close()]);
    }
  });

  it("streams complete replies when ttftMs and itlMs space the chunks out", async () => {
    const paced = await startSim({ ttftMs: 2, itlMs: 1, seed: 3 });
    const instant = await startSim({ seed: 3 });
    try {
      const read = async (sim: SimServer) => {
        const s = await clientFor(sim).chat.completions.create({ model: "m", messages, n: 2, stream: true, stream_options: { include_usage: true } });
        const texts = ["", ""];
        let usage;
        for await (const c of s) {
          for (const ch of c.choices) texts[ch.index] += ch.delta.content ?? "";
          usage = c.usage ?? usage;
        }
        return { texts, usage };
      };
      expect(await read(paced)).toEqual(await read(instant));
      const json = await clientFor(paced).chat.completions.create({ model: "m", messages });
      expect(json.choices[0]!.message.content).toMatch(/#### \d+$/);
    } finally {
      await Promise.all([paced.close(), instant.close()]);
    }
  });

  it("closes promptly with a reply still waiting on its latency, and the client sees a connection error", async () => {
    const sim = await startSim({ latencyMs: 60_000 });
    const pending = clientFor(sim).chat.completions.create({ model: "m", messages }).catch((e: unknown) => e);
    while (sim.stats().inFlight === 0) await new Promise((r) => setImmediate(r));
    await sim.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(sim.stats().inFlight).toBe(0);
  });

  it("fails to start on a port in use, and rejects a non-loopback host before listening", async () => {
    const sim = await startSim();
    try {
      await expect(startSim({ port: sim.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await sim.close();
    }
    await expect(startSim({ host: "0.0.0.0" })).rejects.toThrow("Expected `host` to be a loopback address");
  });

  it("serves on ::1 with a bracketed URL", async () => {
    const sim = await startSim({ host: "[::1]" }).catch(() => undefined);
    if (!sim) return; // no IPv6 loopback on this machine
    try {
      expect(sim.url).toBe(`http://[::1]:${sim.port}/v1`);
      expect((await clientFor(sim).chat.completions.create({ model: "m", messages })).choices).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});
