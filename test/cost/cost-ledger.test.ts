import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { CostLedger } from "../../src/cost/cost-ledger.js";
import { startNetworkMeter } from "../../src/cost/network-meter.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import type { ResultLine } from "../../src/types.js";

const line = (over: Partial<ResultLine>): ResultLine => ({ id: "a", task: "t", model: "m", repeat: 0, status: "ok", input: "", ...over });

describe("CostLedger", () => {
  const prices = [
    { model: "m", price: { input: 1, output: 2 }, source: "flag" as const },
    { model: "free", price: null, source: "unknown" as const },
    { model: "judge", price: { input: 10, output: 20 }, source: "table" as const, matched: "x/judge" },
  ];

  it("sums costs per model and per task, and prices helper calls apart but in the total", () => {
    const ledger = new CostLedger(prices);
    // The judge's cost is the line's (its calls' request-end events count in attempts only).
    ledger.add({ type: "result", line: line({ id: "a", usage: { prompt_tokens: 10, completion_tokens: 5, cached_tokens: 2 }, cost_usd: 20e-6, scores: { "exact_match,strict": 1, bleu: 0.5 }, judge: { model: "judge", cost_usd: 1200e-6 } }) });
    ledger.add({ type: "result", line: line({ id: "b", usage: { prompt_tokens: 10, completion_tokens: 5 }, cost_usd: 20e-6, scores: { "exact_match,strict": 0, bleu: 0.2 } }) });
    ledger.add({ type: "result", line: line({ id: "c", task: "u", usage: { prompt_tokens: 1, completion_tokens: 1 }, cost_usd: 3e-6, scores: { "exact_match,strict": 1 } }) });
    ledger.add({ type: "result", line: line({ id: "d", status: "error", cost_usd: null }) });
    ledger.add({ type: "request-end", model: "judge", id: "a", attempt: 1, ok: true, usage: { prompt_tokens: 100, completion_tokens: 10 }, purpose: "judge" });
    ledger.add({ type: "request-end", model: "m", id: "a", attempt: 1, ok: true, usage: { prompt_tokens: 10, completion_tokens: 5 } });
    const s = ledger.build();
    expect(s.eval_usd).toBe(43e-6);
    expect(s.helpers_usd).toEqual({ judge: (100 * 10 + 10 * 20) / 1e6 });
    expect(s.total_usd).toBe(43e-6 + 1200e-6);
    expect(s.attempts_usd).toBe(1200e-6 + 20e-6);
    expect(s.by_model.m).toMatchObject({ usd: 43e-6, prompt_tokens: 21, completion_tokens: 11, cached_tokens: 2, price: { input: 1, output: 2, source: "flag" } });
    expect(s.by_model.free).toMatchObject({ usd: 0, price: null });
    expect(s.by_task).toEqual({ t: { usd: 40e-6 }, u: { usd: 3e-6 } });
    // bleu is not 0/1 on every sample: no cost per correct answer for it.
    expect(s.per_correct_usd).toEqual({ t: { m: { "exact_match,strict": 40e-6 } }, u: { m: { "exact_match,strict": 3e-6 } } });
    expect(s.estimated).toBe(false);
  });

  it("lists per_correct_usd in the order its task × model pairs were first seen", () => {
    const ledger = new CostLedger(prices);
    // (t, m) first, with no 0/1 metric: t is listed after u, whose pair came second.
    ledger.add({ type: "result", line: line({ task: "t", cost_usd: 1e-6, scores: { bleu: 0.5 } }) });
    ledger.add({ type: "result", line: line({ task: "u", cost_usd: 2e-6, scores: { acc: 1 } }) });
    ledger.add({ type: "result", line: line({ task: "t", model: "free", cost_usd: 4e-6, scores: { acc: 1 } }) });
    ledger.add({ type: "result", line: line({ task: "t", cost_usd: 1e-6, scores: { bleu: 0.2 } }) });
    expect(JSON.stringify(ledger.build().per_correct_usd)).toBe(JSON.stringify({ u: { m: { acc: 2e-6 } }, t: { free: { acc: 4e-6 } } }));
  });

  it("counts a resumed line's judge cost, which no request of this process paid", () => {
    const ledger = new CostLedger(prices);
    ledger.add({ type: "result", resumed: true, line: line({ id: "a", cost_usd: 20e-6, judge: { model: "judge", cost_usd: 500e-6 } }) });
    ledger.add({ type: "result", line: line({ id: "b", cost_usd: 20e-6, judge: { model: "judge", cost_usd: 700e-6 } }) });
    ledger.add({ type: "request-end", model: "judge", id: "b", attempt: 1, ok: true, usage: { prompt_tokens: 60, completion_tokens: 5 }, purpose: "judge" });
    const s = ledger.build();
    expect(s.helpers_usd.judge).toBeCloseTo(1200e-6, 12);
    expect(s.total_usd).toBeCloseTo(1240e-6, 12);
    expect(s.attempts_usd).toBeCloseTo((60 * 10 + 5 * 20) / 1e6, 12); // this process's calls only
  });

  it("reports null, never 0, once a reply had no price; and flags estimated usage", () => {
    const ledger = new CostLedger(prices);
    ledger.add({ type: "result", line: line({ model: "free", usage: { prompt_tokens: 3, completion_tokens: 1, estimated: true }, cost_usd: null, scores: { acc: 0 } }) });
    const s = ledger.build();
    expect(s.by_model.free!.usd).toBeNull();
    expect(s.eval_usd).toBeNull();
    expect(s.total_usd).toBeNull();
    expect(s.per_correct_usd).toEqual({ t: { free: { acc: null } } });
    expect(s.estimated).toBe(true);
  });

  it("keeps sums exact to the micro-dollar over many tiny costs", () => {
    const ledger = new CostLedger(prices);
    for (let i = 0; i < 10_000; i++) ledger.addResult(line({ cost_usd: 0.1e-6 }));
    expect(ledger.build().eval_usd).toBe(0.001);
  });
});

describe("startNetworkMeter", () => {
  // The SDK as streameval makes it (over node:http, httpFetch) and as it comes (over fetch).
  it.each([
    ["node:http", (baseURL: string) => createSdkClient({ apiKey: "k", baseURL })],
    ["fetch", (baseURL: string) => new OpenAI({ apiKey: "k", baseURL, maxRetries: 0 })],
  ])("counts the HTTP bytes the SDK sent and received over %s, as the server saw them", async (_transport, makeSdk) => {
    let serverRead = 0;
    let serverWritten = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] }));
      });
    });
    const closed: Promise<void>[] = [];
    server.on("connection", (s) => closed.push(new Promise((r) => s.on("close", () => { serverRead += s.bytesRead; serverWritten += s.bytesWritten; r(); }))));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const sdk = makeSdk(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    const meter = startNetworkMeter();
    await Promise.all(Array.from({ length: 4 }, () => sdk.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x".repeat(500) }] })));
    const used = meter.stop();
    server.closeAllConnections();
    server.close();
    await Promise.all(closed);
    expect(used.bytes_sent).toBe(serverRead);
    expect(used.bytes_received).toBe(serverWritten);
    expect(used.bytes_sent).toBeGreaterThan(4 * 500);
    expect(meter.stop()).toBe(used);
  });
});
