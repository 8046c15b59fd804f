import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { timeWindows } from "../../src/continuous/time-windows.js";
import { brief, failed, KEY, ok, scope } from "./helpers.js";

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe("timeWindows", () => {
  it("tumbling: one report at each window's end, covering the results scored in it", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("a 4ms b 9ms c 12ms |", { a: ok("a", 1), b: ok("b", 0), c: ok("c", 1) });
      const out = src.pipe(timeWindows({ ...scope, sizeMs: 10, scheduler: s }), map(brief));
      expectObservable(out).toBe("10ms x 9ms y 7ms |", {
        x: { index: 0, start: 0, end: 10, partial: false, total: 2, error: 0, value: 0.5 },
        y: { index: 1, start: 10, end: 20, partial: false, total: 1, error: 0, value: 1 },
      });
    });
  });

  it("reports an idle window with zero counts, and flushes the last partial window on completion", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("a 21ms b 3ms |", { a: ok("a", 1), b: ok("b", 0) });
      const out = src.pipe(timeWindows({ ...scope, sizeMs: 10, scheduler: s }), map(brief));
      expectObservable(out).toBe("10ms x 9ms y 5ms (z|)", {
        x: { index: 0, start: 0, end: 10, partial: false, total: 1, error: 0, value: 1 },
        y: { index: 1, start: 10, end: 20, partial: false, total: 0, error: 0, value: null },
        z: { index: 2, start: 20, end: 26, partial: true, total: 1, error: 0, value: 0 },
      });
    });
  });

  it("sliding: a window of the last size ends every slide", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("a 6ms b 5ms c 14ms |", { a: ok("a", 1), b: ok("b", 0), c: ok("c", 0) });
      const out = src.pipe(timeWindows({ ...scope, sizeMs: 10, slideMs: 5, scheduler: s }), map(brief));
      expectObservable(out).toBe("10ms w 4ms x 4ms y 4ms z 2ms |", {
        w: { index: 0, start: 0, end: 10, partial: false, total: 2, error: 0, value: 0.5 },
        x: { index: 1, start: 5, end: 15, partial: false, total: 2, error: 0, value: 0 },
        y: { index: 2, start: 10, end: 20, partial: false, total: 1, error: 0, value: 0 },
        z: { index: 3, start: 15, end: 25, partial: false, total: 0, error: 0, value: null },
      });
    });
  });

  it("sliding: the partial window on completion covers the open slide and the slides before it within the size", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("a 6ms b 5ms c 3ms d |", { a: ok("a", 1), b: ok("b", 1), c: ok("c", 0), d: ok("d", 0) });
      const out = src.pipe(timeWindows({ ...scope, sizeMs: 10, slideMs: 5, scheduler: s }), map(brief));
      expectObservable(out).toBe("10ms x 4ms y 2ms (z|)", {
        x: { index: 0, start: 0, end: 10, partial: false, total: 2, error: 0, value: 1 },
        y: { index: 1, start: 5, end: 15, partial: false, total: 2, error: 0, value: 0.5 },
        z: { index: 2, start: 10, end: 18, partial: true, total: 2, error: 0, value: 0 },
      });
    });
  });

  it("passes an error through without a partial window", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("a 11ms b #", { a: ok("a", 1), b: ok("b", 1) });
      const out = src.pipe(timeWindows({ ...scope, sizeMs: 10, scheduler: s }), map((r) => r.index));
      expectObservable(out).toBe("10ms x 2ms #", { x: 0 });
    });
  });

  it("stops its timer when unsubscribed", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("a", { a: ok("a", 1) });
      const out = src.pipe(timeWindows({ ...scope, sizeMs: 10, scheduler: s }), map((r) => r.index));
      expectObservable(out, "^ 24ms !").toBe("10ms x 9ms y", { x: 0, y: 1 });
    });
    expect(s.actions).toHaveLength(0);
  });

  it("starts each subscription's windows at its own subscription time", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const out = cold("a 11ms |", { a: ok("a", 1) }).pipe(timeWindows({ ...scope, sizeMs: 10, scheduler: s }), map(brief));
      expectObservable(out).toBe("10ms x 1ms |", { x: { index: 0, start: 0, end: 10, partial: false, total: 1, error: 0, value: 1 } });
      expectObservable(out, "5ms ^").toBe("15ms x 1ms |", { x: { index: 0, start: 5, end: 15, partial: false, total: 1, error: 0, value: 1 } });
    });
  });

  it("reports counts, error rate, metric with stderr, latency percentiles, cost and cost per hour as computed by hand", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("abcd|", { a: ok("a", 1, { e2e: 100 }), b: ok("b", 0, { e2e: 200 }), c: ok("c", 1, { e2e: 300 }), d: failed("d") });
      const out = src.pipe(
        timeWindows({ ...scope, sizeMs: 60_000, scheduler: s }),
        map((r) => {
          const m = r.models.m!;
          const em = m.metrics[KEY]!;
          return [r.samples, r.error_rate, em.n, round(em.value), round(em.stderr!), m.latency_ms.e2e.n, m.latency_ms.e2e.p50! > 199.8 && m.latency_ms.e2e.p50! < 200.3, m.cost_usd, round(m.cost_per_hour_usd!), m.errors, m.usage];
        }),
      );
      // scores 1,0,1: mean 2/3, sample variance 1/3, stderr sqrt(1/3)/sqrt(3) = 1/3; 3 × $0.001 over 4 ms.
      expectObservable(out).toBe("----(x|)", {
        x: [{ total: 4, ok: 3, error: 1 }, 0.25, 3, round(2 / 3), round(1 / 3), 3, true, 0.003, round((0.003 * 3_600_000) / 4), { timeout: 1 }, { prompt_tokens: 30, completion_tokens: 15 }],
      });
    });
  });

  it("validates its options when called", () => {
    expect(() => timeWindows({ ...scope, sizeMs: 0 })).toThrow("Expected `sizeMs` to be an integer >= 1, got 0");
    expect(() => timeWindows({ ...scope, sizeMs: 10, slideMs: 3 })).toThrow("Expected the slide (3ms) to divide the window (10ms) evenly");
    expect(() => timeWindows({ ...scope, sizeMs: 10, slideMs: 20 })).toThrow("Expected `slideMs` to be an integer from 1 to 10, got 20");
  });
});

const round = (x: number) => Math.round(x * 1e9) / 1e9;
