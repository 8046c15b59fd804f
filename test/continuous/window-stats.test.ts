import { describe, expect, it } from "vitest";
import { WindowStats } from "../../src/continuous/window-stats.js";
import { failed, KEY, ok, scope } from "./helpers.js";

describe("WindowStats", () => {
  it("merging panes gives what folding every result into one gives", () => {
    const lines = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? failed(`f${i}`, i % 2 ? "timeout" : "rate_limit") : ok(`s${i}`, i % 3 === 0 ? 1 : 0, { e2e: 10 + i * 13, cost: 0.0001 * (i % 5) })));
    const whole = new WindowStats(scope);
    const panes = [new WindowStats(scope), new WindowStats(scope), new WindowStats(scope)];
    lines.forEach((l, i) => {
      whole.add(l);
      panes[i % 3]!.add(l);
    });
    const merged = new WindowStats(scope);
    for (const p of panes) merged.merge(p);
    expect(merged.count).toBe(50);
    const a = merged.report(1000);
    const b = whole.report(1000);
    expect(a.models.m!.metrics[KEY]!.value).toBeCloseTo(b.models.m!.metrics[KEY]!.value, 12);
    expect(a.models.m!.metrics[KEY]!.stderr).toBeCloseTo(b.models.m!.metrics[KEY]!.stderr!, 12);
    expect({ ...a.models.m!, metrics: {} }).toEqual({ ...b.models.m!, metrics: {} });
    expect(a.totals).toEqual(b.totals);
  });

  it("reset forgets everything, and reports every configured model even without results", () => {
    const w = new WindowStats({ ...scope, models: ["m", "other"] });
    w.add(ok("a", 1));
    w.add(failed("b"));
    w.reset();
    expect(w.count).toBe(0);
    const r = w.report(1000);
    expect(Object.keys(r.models)).toEqual(["m", "other"]);
    expect(r.models.m).toMatchObject({ samples: { total: 0, ok: 0, error: 0 }, error_rate: null, metrics: {}, errors: {}, cost_usd: 0, latency_ms: { e2e: { n: 0, p50: null } } });
    expect(r.totals).toEqual({ samples: { total: 0, ok: 0, error: 0 }, error_rate: null, cost_usd: 0, cost_per_hour_usd: 0 });
  });

  it("reports cost as unknown when an ok result had no price", () => {
    const w = new WindowStats(scope);
    w.add(ok("a", 1, { cost: 0.5 }));
    w.add(ok("b", 1, { cost: null }));
    expect(w.report(3_600_000).models.m).toMatchObject({ cost_usd: null, cost_per_hour_usd: null });
  });

  it("counts a sample's judge cost in the window's cost (unknown when the judge's price is)", () => {
    const w = new WindowStats(scope);
    w.add({ ...ok("a", 1, { cost: 0.25 }), judge: { model: "j", cost_usd: 0.5 } });
    expect(w.report(3_600_000).models.m).toMatchObject({ cost_usd: 0.75, cost_per_hour_usd: 0.75 });
    w.add({ ...ok("b", 1, { cost: 0.25 }), judge: { model: "j", cost_usd: null } });
    expect(w.report(3_600_000).models.m).toMatchObject({ cost_usd: null });
  });

  it("folds scores as the summary does: weighted where a line says, a sample's score over its repeats once", () => {
    const w = new WindowStats(scope);
    w.add({ ...ok("a", 1), weights: { [KEY]: 3 } });
    w.add(ok("b", 0));
    // A repeat line: its own score is not the sample's; the line completing the sample carries that.
    w.add({ ...ok("c", 1), repeat: 0, repeats: 2 });
    w.add({ ...ok("c", 1), repeat: 1, repeats: 2, sample: { scores: { [KEY]: 0 } } });
    expect(w.report(1000).models.m!.metrics[KEY]).toMatchObject({ value: 3 / 5, n: 5 });
  });

  it("keeps results of a task or model it was not told about", () => {
    const w = new WindowStats(scope);
    w.add(ok("a", 1, { model: "late" }));
    expect(w.report(10).tasks.t!.models.late!.samples.total).toBe(1);
  });
});
