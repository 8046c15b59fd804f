import { describe, expect, it } from "vitest";
import { cpuPercent, createProcessMeter, type Every, type LoopDelay, type ProcessProbe, type ProcessReading } from "../../src/observe/process-meter.js";

/** A virtual clock with a manual interval timer: advancing time fires the ticks that fall due. */
function virtualTime() {
  let t = 0;
  const timers = new Set<{ ms: number; next: number; tick: () => void }>();
  const every: Every = (ms, tick) => {
    const timer = { ms, next: t + ms, tick };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = [...timers].filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      t = due.next;
      due.next += due.ms;
      due.tick();
    }
    t = end;
  };
  return { now: () => t, every, advance, pending: () => timers.size };
}

const MB = 1048576;

/** Readings scripted per call; CPU advances by `cpuPerReadMs` of user time per reading. */
function scriptedProbe(rssMb: number[], delay: LoopDelay | null = null) {
  let i = 0;
  let closed = false;
  const probe: ProcessProbe = {
    read(): ProcessReading {
      const rss = rssMb[Math.min(i, rssMb.length - 1)] ?? 0;
      const reading = { rssBytes: rss * MB, heapUsedBytes: (rss / 2) * MB, heapTotalBytes: rss * MB, cpuUserMicros: i * 500_000, cpuSystemMicros: i * 100_000 };
      i++;
      return reading;
    },
    loopDelay: () => delay,
    close: () => {
      closed = true;
    },
  };
  return { probe, reads: () => i, closed: () => closed };
}

describe("createProcessMeter", () => {
  it("reads once at start, once per interval and once at stop, keeping the peaks", () => {
    const time = virtualTime();
    const s = scriptedProbe([100, 180, 150, 120, 110]);
    const meter = createProcessMeter({ now: time.now, every: time.every, probe: s.probe });
    meter.start();
    expect(s.reads()).toBe(1);
    time.advance(3000);
    expect(s.reads()).toBe(4);
    meter.stop();
    expect(s.reads()).toBe(5);
    const stats = meter.stats();
    expect(stats.samples).toBe(5);
    expect(stats.rss_mb).toEqual({ peak: 180, last: 110 });
    expect(stats.heap_used_mb).toEqual({ peak: 90, last: 55 });
  });

  it("reports CPU seconds over the run, the mean share of a core and the busiest interval", () => {
    const time = virtualTime();
    const s = scriptedProbe([100]);
    const meter = createProcessMeter({ now: time.now, every: time.every, probe: s.probe });
    meter.start();
    time.advance(2000); // two ticks: 0.6 s of CPU per second → 60%
    time.advance(500);
    meter.stop(); // a reading 0.5 s after the last tick, with 0.6 s more CPU → 120%
    const stats = meter.stats();
    expect(stats.cpu_s).toEqual({ user: 1.5, system: 0.3 });
    expect(stats.cpu_percent.mean).toBe(72); // 1.8 s of CPU over 2.5 s
    expect(stats.cpu_percent.peak).toBe(120);
    // The summary's `resources` figures are these same readings.
    expect(meter.usage()).toEqual({ wall_s: 2.5, cpu_user_s: 1.5, cpu_system_s: 0.3, peak_rss_mb: 100 });
  });

  it("takes the OS's peak RSS when it is above every reading (a spike between two readings)", () => {
    const time = virtualTime();
    const probe: ProcessProbe = {
      read: () => ({ rssBytes: 100 * MB, heapUsedBytes: MB, heapTotalBytes: MB, cpuUserMicros: 0, cpuSystemMicros: 0, maxRssBytes: 240 * MB }),
      loopDelay: () => null,
      close: () => {},
    };
    const meter = createProcessMeter({ now: time.now, every: time.every, probe });
    meter.start();
    time.advance(1000);
    meter.stop();
    expect(meter.stats().rss_mb).toEqual({ peak: 240, last: 100 });
    expect(meter.usage().peak_rss_mb).toBe(240);
  });

  it("stops its timer and frees the probe at stop; start and stop are idempotent", () => {
    const time = virtualTime();
    const s = scriptedProbe([100]);
    const meter = createProcessMeter({ now: time.now, every: time.every, probe: s.probe });
    meter.start();
    meter.start();
    expect(time.pending()).toBe(1);
    meter.stop();
    meter.stop();
    expect(time.pending()).toBe(0);
    expect(s.closed()).toBe(true);
    time.advance(10_000);
    expect(s.reads()).toBe(2);
  });

  it("honours the interval", () => {
    const time = virtualTime();
    const s = scriptedProbe([1]);
    const meter = createProcessMeter({ intervalMs: 250, now: time.now, every: time.every, probe: s.probe });
    meter.start();
    time.advance(1000);
    expect(s.reads()).toBe(5);
    meter.stop();
  });

  it("reports event-loop delay in milliseconds, kept after stop", () => {
    const time = virtualTime();
    const s = scriptedProbe([1], { p50Nanos: 10_500_000, p99Nanos: 42_000_000, maxNanos: 120_000_000, meanNanos: 11_250_000 });
    const meter = createProcessMeter({ now: time.now, every: time.every, probe: s.probe });
    meter.start();
    meter.stop();
    expect(meter.stats().event_loop_delay_ms).toEqual({ p50: 10.5, p99: 42, max: 120, mean: 11.25 });
  });

  it("gives zeros before the first reading and null loop delay when none was measured", () => {
    const meter = createProcessMeter({ probe: scriptedProbe([5]).probe });
    const stats = meter.stats();
    expect(stats.samples).toBe(0);
    expect(stats.rss_mb.peak).toBe(0);
    expect(stats.cpu_percent).toEqual({ mean: 0, peak: 0 });
    expect(stats.event_loop_delay_ms).toBeNull();
  });

  it("reads the real process by default", () => {
    const meter = createProcessMeter();
    meter.start();
    const cpu = process.cpuUsage();
    let spin = 0;
    while (process.cpuUsage(cpu).user < 5000) spin += Math.sqrt(spin + 1); // 5 ms of user CPU to measure
    meter.stop();
    const stats = meter.stats();
    expect(stats.samples).toBe(2);
    expect(stats.rss_mb.peak).toBeGreaterThan(10);
    expect(stats.heap_used_mb.peak).toBeGreaterThan(1);
    const used = meter.usage();
    expect(used.cpu_user_s).toBeGreaterThan(0);
    expect(used.cpu_user_s).toBe(stats.cpu_s.user);
    expect(used.peak_rss_mb).toBe(stats.rss_mb.peak);
  });

  it("validates the interval up front", () => {
    expect(() => createProcessMeter({ intervalMs: 0 })).toThrow("Expected `intervalMs` to be a number > 0, got 0");
  });
});

describe("cpuPercent", () => {
  it("is CPU time over wall time, as a share of one core", () => {
    const a = { rssBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, cpuUserMicros: 0, cpuSystemMicros: 0 };
    const b = { ...a, cpuUserMicros: 1_500_000, cpuSystemMicros: 500_000 };
    expect(cpuPercent(a, b, 1000)).toBe(200);
    expect(cpuPercent(a, b, 0)).toBe(0);
  });
});
