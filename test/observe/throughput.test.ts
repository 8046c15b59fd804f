import { describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { ThroughputMeter } from "../../src/observe/throughput.js";

const start = (model: string, id: string): EvalEvent => ({ type: "request-start", model, id, attempt: 1 });
const end = (model: string, id: string, completion = 0, ok = true): EvalEvent => ({
  type: "request-end", model, id, attempt: 1, ok, usage: ok ? { prompt_tokens: 5, completion_tokens: completion } : null,
});

describe("ThroughputMeter", () => {
  it("is the time-weighted mean of requests in flight, with requests and tokens per second", () => {
    let t = 1000;
    const meter = new ThroughputMeter(() => t);
    meter.add(start("a", "1")); // 0..2000: one in flight
    t = 2000;
    meter.add(start("a", "2")); // 1000..3000: two in flight
    t = 3000;
    meter.add(end("a", "1", 40));
    t = 4000;
    meter.add(end("a", "2", 60)); // 3000..4000: one; 4000..5000: none
    t = 5000;
    const s = meter.stats();
    expect(s.wall_s).toBe(4);
    expect(s.requests).toBe(2);
    expect(s.requests_per_s).toBe(0.5);
    expect(s.output_tokens).toBe(100);
    expect(s.output_tokens_per_s).toBe(25);
    // area: 1×1000 + 2×1000 + 1×1000 = 4000 request·ms over 4000 ms
    expect(s.concurrency_mean).toBe(1);
    expect(s.concurrency_peak).toBe(2);
    expect(s.in_flight).toBe(0);
  });

  it("keeps each model apart and sums them for the run", () => {
    let t = 0;
    const meter = new ThroughputMeter(() => t);
    meter.add(start("a", "1"));
    meter.add(start("b", "1"));
    t = 1000;
    meter.add(end("a", "1", 10));
    meter.add(end("b", "1", 0, false));
    t = 2000;
    const s = meter.stats();
    expect(s.concurrency_mean).toBe(1); // 2 in flight for half the span
    expect(s.requests).toBe(2);
    expect(s.models.a?.output_tokens).toBe(10);
    expect(s.models.b?.output_tokens).toBe(0);
    expect(s.models.a?.concurrency_mean).toBe(0.5);
    expect(s.models.b?.requests).toBe(1);
  });

  it("counts requests still in flight up to the reading", () => {
    let t = 0;
    const meter = new ThroughputMeter(() => t);
    meter.add(start("a", "1"));
    meter.add(start("a", "2"));
    meter.add(start("a", "3"));
    t = 500;
    const s = meter.stats();
    expect(s.in_flight).toBe(3);
    expect(s.concurrency_mean).toBe(3);
    expect(s.requests).toBe(0);
    expect(meter.stats(1000).concurrency_mean).toBe(3);
  });

  it("reports zeros for an empty span and ignores other events", () => {
    const meter = new ThroughputMeter(() => 0);
    meter.add({ type: "warning", message: "x" });
    expect(meter.stats()).toEqual({
      wall_s: 0, requests: 0, requests_per_s: 0, output_tokens: 0, output_tokens_per_s: 0, concurrency_mean: 0, concurrency_peak: 0, in_flight: 0, models: {},
    });
  });

  it("never counts below zero in flight when it missed a start", () => {
    let t = 0;
    const meter = new ThroughputMeter(() => t);
    meter.add(end("a", "0", 3));
    t = 1000;
    expect(meter.stats().in_flight).toBe(0);
    expect(meter.stats().concurrency_mean).toBe(0);
  });
});
