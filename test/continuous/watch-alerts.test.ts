import { from, lastValueFrom, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/continuous/alert-expression.js";
import { countWindows } from "../../src/continuous/count-windows.js";
import { timeWindows } from "../../src/continuous/time-windows.js";
import { type AlertEvent, watchAlerts } from "../../src/continuous/watch-alerts.js";
import type { WindowReport } from "../../src/continuous/window-report.js";
import { ok, scope } from "./helpers.js";

const rule = parseAlert("exact_match,strict-match < 0.7");
const show = (x: WindowReport | AlertEvent) =>
  x.type === "window" ? ["window", x.index, x.alerts] : [x.state, x.window.index, x.values["exact_match,strict-match"], x.task, x.model];

describe("watchAlerts", () => {
  it("fires when a bad stretch arrives, once while it lasts, and resolves when it ends", async () => {
    const s = new TestScheduler(() => undefined);
    const scores = [1, 1, 0, 0, 0, 1, 1, 1]; // windows of 2: 1, 0, 0.5, 1
    const out = await lastValueFrom(
      from(scores.map((v, i) => ok(`s${i}`, v))).pipe(countWindows({ ...scope, size: 2, scheduler: s }), watchAlerts([rule]), toArray()),
    );
    expect(out.map(show)).toEqual([
      ["window", 0, []],
      ["window", 1, [rule.text]],
      ["firing", 1, 0, "t", "m"],
      ["window", 2, [rule.text]],
      ["window", 3, []],
      ["resolved", 3, 1, "t", "m"],
    ]);
  });

  it("keeps an alert's state through a window with no data", () => {
    const s = new TestScheduler(() => undefined);
    const seen: unknown[] = [];
    s.run(({ cold }) => {
      // 10 ms windows: bad, idle, good (the partial last one)
      cold("b 20ms g|", { b: ok("b", 0), g: ok("g", 1) })
        .pipe(timeWindows({ ...scope, sizeMs: 10, scheduler: s }), watchAlerts([rule]))
        .subscribe((x) => seen.push(show(x)));
    });
    expect(seen).toEqual([
      ["window", 0, [rule.text]],
      ["firing", 0, 0, "t", "m"],
      ["window", 1, []],
      ["window", 2, []],
      ["resolved", 2, 1, "t", "m"],
    ]);
  });

  it("tracks each model on its own", async () => {
    const two = { ...scope, models: ["m", "n"] };
    const lines = [ok("a", 0, { model: "m" }), ok("a", 1, { model: "n" })];
    const out = await lastValueFrom(from(lines).pipe(countWindows({ ...two, size: 2, scheduler: new TestScheduler(() => undefined) }), watchAlerts([rule]), toArray()));
    expect(out.filter((x) => x.type === "alert").map((x) => [x.state, x.model])).toEqual([["firing", "m"]]);
  });

  it("validates its rules", () => {
    expect(() => watchAlerts("x" as never)).toThrow("Expected `rules` to be an array, got string");
  });
});
