import { afterEach, describe, expect, it, vi } from "vitest";
import { isoTime } from "../src/clock.js";
import { stampLine } from "../src/operators/stamp-result.js";
import type { Outcome } from "../src/work/work-item.js";

afterEach(() => vi.restoreAllMocks());

describe("isoTime", () => {
  it("gives toISOString's text for the years 0–9999, edges and fractions included", () => {
    const times = [0, -1, 1, 999, 1000, Date.UTC(2026, 11, 3, 23, 59, 59, 999), Date.UTC(2000, 1, 29, 12, 0, 0, 5), Date.UTC(0, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(999, 5, 6, 7, 8, 9, 10), Date.UTC(42, 0, 1), 1_700_000_000_123.9, -1.5];
    // Date.UTC maps the years 0–99 onto 1900–1999: set them by hand.
    times.push(new Date(0).setUTCFullYear(7), new Date(0).setUTCFullYear(99, 11, 31));
    for (let i = 0; i < 2000; i++) times.push(Math.floor(Math.random() * Date.UTC(2200, 0, 1)));
    for (const t of times) expect(isoTime(t), String(t)).toBe(new Date(t).toISOString());
  });

  it("leaves other years and invalid times to toISOString", () => {
    expect(isoTime(Date.UTC(10000, 0, 1))).toBe("+010000-01-01T00:00:00.000Z");
    expect(isoTime(new Date(0).setUTCFullYear(-1))).toBe(new Date(new Date(0).setUTCFullYear(-1)).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });

  it("is how a result line is dated: stampLine never calls toISOString", () => {
    const toISOString = vi.spyOn(Date.prototype, "toISOString");
    const line = { id: "a", task: "t", model: "m", repeat: 0, status: "ok", input: "", scores: {} };
    const outcome = { work: { key: line, sample: { id: "a", doc: {} }, task: { config: {} }, prepared: { input: "", target: "" } }, line } as unknown as Outcome;
    expect(stampLine(outcome, Date.UTC(2026, 0, 2, 3, 4, 5, 678)).ended_at).toBe("2026-01-02T03:04:05.678Z");
    expect(toISOString).not.toHaveBeenCalled();
  });
});
