import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/continuous/alert-expression.js";
import { startWindowMonitor } from "../../src/continuous/window-monitor.js";
import type { WindowReport } from "../../src/continuous/window-report.js";
import { failed, ok, scope } from "./helpers.js";

describe("startWindowMonitor", () => {
  it("folds fresh results only, keeps the latest window and the alerts firing, and flushes on end", () => {
    const windows: WindowReport[] = [];
    const states: string[] = [];
    const m = startWindowMonitor({
      window: { kind: "count", size: 2, slide: 2 },
      scope,
      alerts: [parseAlert("error_rate > 40%")],
      scheduler: new TestScheduler(() => undefined),
      onWindow: (w) => windows.push(w),
      onAlert: (a) => states.push(a.state),
    });
    expect(m.latest).toBeUndefined();
    m.add({ type: "result", line: ok("a", 1) });
    m.add({ type: "result", line: ok("r", 1), resumed: true }); // from the checkpoint: not counted
    m.add({ type: "warning", message: "x" });
    m.add({ type: "result", line: failed("b") });
    expect(m.latest?.samples.total).toBe(2);
    expect(m.firing()).toEqual([{ alert: "error_rate > 40%", task: "t", model: "m" }]);
    m.add({ type: "result", line: ok("c", 1) });
    m.add({ type: "result", line: ok("d", 1) });
    expect(m.firing()).toEqual([]);
    m.add({ type: "result", line: ok("e", 0) });
    m.end();
    m.end();
    expect(windows.map((w) => [w.index, w.samples.total, w.partial])).toEqual([[0, 2, false], [1, 2, false], [2, 1, true]]);
    expect(states).toEqual(["firing", "resolved"]);
  });
});
