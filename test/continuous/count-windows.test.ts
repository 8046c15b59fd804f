import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { countWindows } from "../../src/continuous/count-windows.js";
import { brief, failed, ok, scope } from "./helpers.js";

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe("countWindows", () => {
  it("tumbling: a report every `size` results, the last partial one on completion", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("ab-c-de|", { a: ok("a", 1), b: ok("b", 0), c: failed("c"), d: ok("d", 1), e: ok("e", 1) });
      const out = src.pipe(countWindows({ ...scope, size: 2, scheduler: s }), map(brief));
      expectObservable(out).toBe("-x---y-(z|)", {
        x: { index: 0, start: 0, end: 1, partial: false, total: 2, error: 0, value: 0.5 },
        y: { index: 1, start: 1, end: 5, partial: false, total: 2, error: 1, value: 1 },
        z: { index: 2, start: 5, end: 7, partial: true, total: 1, error: 0, value: 1 },
      });
    });
  });

  it("emits no partial window when the last window was full", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("ab|", { a: ok("a", 1), b: ok("b", 0) });
      expectObservable(src.pipe(countWindows({ ...scope, size: 2, scheduler: s }), map((r) => r.index))).toBe("-x|", { x: 0 });
    });
  });

  it("sliding: a window of the last `size` results every `slide` results, once `size` have come", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      const src = cold("abcdefg|", { a: ok("a", 1), b: ok("b", 1), c: ok("c", 0), d: ok("d", 0), e: ok("e", 0), f: ok("f", 1), g: ok("g", 1) });
      const out = src.pipe(countWindows({ ...scope, size: 4, slide: 2, scheduler: s }), map((r) => [r.index, r.samples.total, r.models.m!.metrics["exact_match,strict-match"]!.value, r.partial]));
      expectObservable(out).toBe("---x-y-(z|)", {
        x: [0, 4, 0.5, false], // a b c d
        y: [1, 4, 0.25, false], // c d e f
        z: [2, 3, 2 / 3, true], // e f g
      });
    });
  });

  it("passes an error through", () => {
    const s = testScheduler();
    s.run(({ cold, expectObservable }) => {
      expectObservable(cold("a#", { a: ok("a", 1) }).pipe(countWindows({ ...scope, size: 5, scheduler: s }))).toBe("-#");
    });
  });

  it("validates its options when called", () => {
    expect(() => countWindows({ ...scope, size: 1.5 })).toThrow("Expected `size` to be an integer >= 1, got 1.5");
    expect(() => countWindows({ ...scope, size: 10, slide: 4 })).toThrow("Expected the slide (4) to divide the window (10) evenly");
    expect(() => countWindows({ ...scope, size: 5000, slide: 1 })).toThrow("Expected the window (5000) to be at most 1000 slides (1) long, got 5000");
  });
});
