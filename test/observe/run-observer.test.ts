import { describe, expect, it } from "vitest";
import { createRunObserver } from "../../src/observe/run-observer.js";
import { createProcessMeter, type Every, type ProcessProbe } from "../../src/observe/process-meter.js";

describe("createRunObserver", () => {
  it("reports throughput over start..stop and the sampled process, once", () => {
    let t = 0;
    const probe: ProcessProbe = {
      read: () => ({ rssBytes: 50 * 1048576, heapUsedBytes: 1048576, heapTotalBytes: 1048576, cpuUserMicros: t * 100, cpuSystemMicros: 0 }),
      loopDelay: () => null,
      close: () => {},
    };
    let ticks = 0;
    const every: Every = () => {
      ticks++;
      return () => ticks--;
    };
    const o = createRunObserver({ now: () => t, process: createProcessMeter({ now: () => t, probe, every }) });
    o.start();
    expect(ticks).toBe(1);
    o.add({ type: "request-start", model: "m", id: "1", attempt: 1 });
    t = 2000;
    o.add({ type: "request-end", model: "m", id: "1", attempt: 1, ok: true, usage: { prompt_tokens: 1, completion_tokens: 30 } });
    t = 4000;
    const r = o.stop();
    expect(ticks).toBe(0);
    expect(r.throughput).toMatchObject({ wall_s: 4, requests: 1, output_tokens_per_s: 7.5, concurrency_mean: 0.5 });
    expect(r.process).toMatchObject({ samples: 2, rss_mb: { peak: 50, last: 50 }, cpu_percent: { mean: 10, peak: 10 } });
    expect(o.stop()).toBe(r);
  });

  it("can leave the process unsampled", () => {
    const r = createRunObserver({ now: () => 0 });
    r.start();
    expect(r.stop().process).toBeUndefined();
  });
});
