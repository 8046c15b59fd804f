import { describe, expect, it } from "vitest";
import { evaluateAlert, metricKeysOf, resolveAlertMetrics } from "../../src/continuous/alert-eval.js";
import { parseAlert } from "../../src/continuous/alert-expression.js";
import { WindowStats } from "../../src/continuous/window-stats.js";
import { failed, ok, scope } from "./helpers.js";

/** Stats of one window: scores 1,0,0,1 with e2e 100..400 ms at $0.001 each, and one timeout. */
function stats() {
  const w = new WindowStats(scope);
  [1, 0, 0, 1].forEach((s, i) => w.add(ok(`s${i}`, s, { e2e: 100 * (i + 1) })));
  w.add(failed("f"));
  return w.report(60_000).models.m!;
}
const holds = (text: string) => evaluateAlert(parseAlert(text), stats()).holds;

describe("parseAlert", () => {
  it("parses comparisons on metrics, error rate, counts, latency percentiles and cost", () => {
    expect(parseAlert("exact_match,strict-match < 0.7").root).toEqual({
      type: "compare", subject: { kind: "metric", key: "exact_match,strict-match" }, name: "exact_match,strict-match", op: "<", value: 0.7, column: 1,
    });
    expect(parseAlert("error_rate>5%").root).toMatchObject({ subject: { kind: "error_rate" }, op: ">", value: 0.05 });
    expect(parseAlert("e2e.p99 >= 2s").root).toMatchObject({ subject: { kind: "latency", name: "e2e", stat: "p99" }, value: 2000 });
    expect(parseAlert("ttft_p50_ms > 250").root).toMatchObject({ subject: { kind: "latency", name: "ttft", stat: "p50" }, value: 250 });
    expect(parseAlert("samples < 10").root).toMatchObject({ subject: { kind: "count", field: "total" } });
    expect(parseAlert("cost_per_hour > 1.5").root).toMatchObject({ subject: { kind: "cost_per_hour" } });
    expect(parseAlert("  cost_usd != 0 ").text).toBe("cost_usd != 0");
  });

  it("binds `and` tighter than `or`, and takes `not` and parentheses", () => {
    expect(parseAlert("samples < 1 or errors > 2 and ok < 3").root).toMatchObject({ type: "or", right: { type: "and" } });
    expect(parseAlert("(samples < 1 or errors > 2) and not ok < 3").root).toMatchObject({ type: "and", left: { type: "or" }, right: { type: "not" } });
  });

  it("names the bad token and its column", () => {
    const err = (text: string) => {
      try {
        parseAlert(text);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err("exact_match,strict-match < 0.7x")).toBe('key `--alert`: in "exact_match,strict-match < 0.7x": `0.7x` at column 28 is not a number (a unit may follow: ms, s, m for latencies, % for error_rate)');
    expect(err("exact_match <")).toBe('key `--alert`: in "exact_match <": expected a number after `<`, got the end');
    expect(err("exact_match 0.7")).toBe('key `--alert`: in "exact_match 0.7": expected a comparison (<, <=, >, >=, ==, !=) after `exact_match`, got `0.7` at column 13');
    expect(err("error_rate > 5 ms")).toContain("unexpected `ms` at column 16; expected `and`, `or` or the end");
    expect(err("error_rate > 5ms")).toContain("`5ms` at column 14: error_rate takes a fraction (0.05) or a percentage (5%), not ms");
    expect(err("e2e.p99 > 5%")).toContain("`5%` at column 11: a latency takes ms, s or m, not %");
    expect(err("(samples < 1 or ok > 2")).toContain("expected `)` to close the `(` at column 1, got the end");
    expect(err("samples = 3")).toContain("unexpected `=` at column 9; comparisons are <, <=, >, >=, ==, !=");
    expect(err("samples < 3 and")).toContain("expected a condition such as `error_rate > 5%`, got the end");
    expect(err("")).toContain("the condition is empty");
    expect(err("x$y < 3")).toContain("`x$y` is not something an alert can watch");
  });
});

describe("evaluateAlert", () => {
  it("compares each subject's value in the window", () => {
    expect(holds("exact_match,strict-match < 0.7")).toBe(true); // 0.5
    expect(holds("exact_match,strict-match >= 0.5")).toBe(true);
    expect(holds("error_rate > 25%")).toBe(false); // 1/5 = 20 %
    expect(holds("error_rate >= 0.2")).toBe(true);
    expect(holds("samples == 5 and ok == 4 and errors == 1")).toBe(true);
    expect(holds("e2e.max > 0.39s and e2e.p50 < 250")).toBe(true);
    expect(holds("cost > 0.0039 and cost < 0.0041")).toBe(true); // 4 × $0.001
    expect(holds("cost_per_hour > 0.239 and cost_per_hour < 0.241")).toBe(true); // $0.004 a minute
    expect(evaluateAlert(parseAlert("exact_match,strict-match < 0.7 or samples > 100"), stats()).values).toEqual({ "exact_match,strict-match": 0.5, samples: 5 });
  });

  it("treats a subject without data as unknown (three-valued logic)", () => {
    const empty = new WindowStats(scope).report(1000).models.m!;
    const on = (text: string) => evaluateAlert(parseAlert(text), empty).holds;
    expect(on("exact_match,strict-match < 0.7")).toBeNull();
    expect(on("not exact_match,strict-match < 0.7")).toBeNull();
    expect(on("exact_match,strict-match < 0.7 or samples < 1")).toBe(true);
    expect(on("exact_match,strict-match < 0.7 and samples > 1")).toBe(false);
    expect(on("e2e.p99 > 1s")).toBeNull();
    expect(on("samples < 10")).toBe(true);
  });
});

describe("resolveAlertMetrics", () => {
  const keys = metricKeysOf([{ metrics: [{ name: "exact_match" }], filters: [{ name: "strict-match" }, { name: "flexible-extract" }] }]);

  it("accepts the run's keys and resolves a bare metric with one filter", () => {
    expect(keys).toEqual(["exact_match,strict-match", "exact_match,flexible-extract"]);
    expect(resolveAlertMetrics(parseAlert("exact_match,strict-match < 1"), keys).root).toMatchObject({ subject: { key: "exact_match,strict-match" } });
    expect(resolveAlertMetrics(parseAlert("exact_match < 1"), ["exact_match,none"]).root).toMatchObject({ subject: { key: "exact_match,none" } });
  });

  it("rejects an unknown or ambiguous metric, listing the run's metrics", () => {
    expect(() => resolveAlertMetrics(parseAlert("samples > 1 and exact_macth,strict-match < 1"), keys)).toThrow(
      'key `--alert`: in "samples > 1 and exact_macth,strict-match < 1": `exact_macth,strict-match` at column 17 is not a metric of this run; the run\'s metrics are exact_match,strict-match, exact_match,flexible-extract',
    );
    expect(() => resolveAlertMetrics(parseAlert("exact_match < 1"), keys)).toThrow("`exact_match` at column 1 is ambiguous (exact_match,strict-match, exact_match,flexible-extract): name the filter too");
  });
});
