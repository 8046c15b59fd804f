import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/continuous/duration.js";
import { describeWindowSpec, parseWindowSpec } from "../../src/continuous/window-spec.js";

describe("parseWindowSpec", () => {
  it("reads a duration as a time window and a bare integer as a count window", () => {
    expect(parseWindowSpec("60s")).toEqual({ kind: "time", sizeMs: 60_000, slideMs: 60_000 });
    expect(parseWindowSpec("5m", "30s")).toEqual({ kind: "time", sizeMs: 300_000, slideMs: 30_000 });
    expect(parseWindowSpec("1000")).toEqual({ kind: "count", size: 1000, slide: 1000 });
    expect(parseWindowSpec("1000", "250")).toEqual({ kind: "count", size: 1000, slide: 250 });
    expect(parseWindowSpec("1.5h")).toEqual({ kind: "time", sizeMs: 5_400_000, slideMs: 5_400_000 });
  });

  it("names the flag and the bad value", () => {
    expect(() => parseWindowSpec("60 sec")).toThrow('key `--window`: expected a duration (60s, 5m, 1h) or a count of results (1000), got "60 sec"');
    expect(() => parseWindowSpec("0")).toThrow("key `--window`");
    expect(() => parseWindowSpec("60s", "100")).toThrow('key `--slide`: expected a duration (like 10s) to match --window 60s, got "100"');
    expect(() => parseWindowSpec("1000", "10s")).toThrow('key `--slide`: expected a count (like 100) to match --window 1000, got "10s"');
    expect(() => parseWindowSpec("60s", "7s")).toThrow("key `--slide`: Expected the slide (7s) to divide the window (1m) evenly");
    expect(() => parseWindowSpec("10s", "20s")).toThrow("key `--slide`: Expected `slideMs` to be an integer from 1 to 10000, got 20000");
  });

  it("describes a spec for people", () => {
    expect(describeWindowSpec(parseWindowSpec("60s"))).toBe("1m");
    expect(describeWindowSpec(parseWindowSpec("90s", "30s"))).toBe("90s, sliding by 30s");
    expect(describeWindowSpec(parseWindowSpec("100", "10"))).toBe("100 results, sliding by 10");
  });
});

describe("parseDuration / formatDuration", () => {
  it("round-trips the units", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("10")).toBeUndefined();
    expect(parseDuration("s")).toBeUndefined();
    expect(formatDuration(604_800_000)).toBe("7d");
    expect(formatDuration(1500)).toBe("1500ms");
  });
});
