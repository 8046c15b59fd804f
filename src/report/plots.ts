import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";

/**
 * The report's charts, drawn by Observable Plot into a server-side DOM (jsdom) and kept as SVG text,
 * so the page needs no script to show them and opens offline. Each function takes plain rows and
 * returns the figure's HTML.
 */
export class PlotRenderer {
  readonly #document = new JSDOM("<!DOCTYPE html>").window.document;

  #render(options: Plot.PlotOptions): string {
    const figure = Plot.plot({ document: this.#document, style: { fontSize: "12px", background: "transparent" }, ...options });
    return figure.outerHTML;
  }

  /** Mean of a metric per category and model, with its 95% interval: a dot and a bar per model. */
  byCategory(rows: readonly CategoryRow[], metric: string, models: readonly string[]): string {
    const categories = [...new Set(rows.map((r) => r.category))];
    const step = 12 / Math.max(1, models.length);
    return this.#render({
      width: 860,
      height: 60 + categories.length * Math.max(16, models.length * 9),
      marginLeft: 240,
      marginRight: 20,
      x: { label: `${metric} (mean, 95% interval)`, grid: true, nice: true },
      y: { label: null, domain: categories },
      color: { legend: true, domain: [...models], scheme: "tableau10" },
      marks: models.flatMap((model, i) => {
        const mine = rows.filter((r) => r.model === model);
        const dy = (i - (models.length - 1) / 2) * step;
        return [
          Plot.ruleY(mine, { y: "category", x1: "lo", x2: "hi", stroke: "model", dy, strokeOpacity: 0.7 }),
          Plot.dot(mine, { y: "category", x: "value", fill: "model", dy, r: 3, title: (r: CategoryRow) => `${r.model} · ${r.category}: ${r.value.toFixed(3)} [${r.lo.toFixed(3)}, ${r.hi.toFixed(3)}] n=${r.n}` }),
        ];
      }),
    });
  }

  /** A latency's distribution per model: a histogram per model, one above the other. */
  latency(rows: readonly { model: string; ms: number }[], label: string, models: readonly string[], maxMs?: number): string {
    return this.#render({
      width: 420,
      height: 70 + 80 * models.length,
      marginLeft: 60,
      marginRight: 70,
      x: { label: `${label} (ms)`, grid: true, ...(maxMs === undefined ? {} : { domain: [0, maxMs] }) },
      y: { label: "requests", grid: true },
      fy: { label: null, domain: [...models] },
      color: { domain: [...models], scheme: "tableau10" },
      facet: { data: rows, y: "model" },
      marks: [Plot.rectY(rows, Plot.binX<Plot.RectYOptions>({ y: "count" }, { x: "ms", fill: "model", thresholds: 40, inset: 0.5 })), Plot.ruleY([0])],
    });
  }

  /** A series over the run's time per model (cumulative cost, results per second). */
  overTime(rows: readonly { model: string; t: Date; value: number }[], label: string, models: readonly string[]): string {
    return this.#render({
      width: 420,
      height: 240,
      marginLeft: 60,
      x: { label: "time", type: "utc" },
      y: { label, grid: true, zero: true },
      color: { legend: true, domain: [...models], scheme: "tableau10" },
      marks: [Plot.lineY(rows, { x: "t", y: "value", stroke: "model", strokeWidth: 1.8, curve: "step-after" }), Plot.ruleY([0])],
    });
  }

  /** Errors and retries by cause, per model. */
  causes(rows: readonly { cause: string; model: string; kind: string; count: number }[], models: readonly string[]): string {
    return this.#render({
      width: 860,
      height: 70 + 28 * new Set(rows.map((r) => `${r.kind} ${r.cause}`)).size,
      marginLeft: 240,
      x: { label: "count", grid: true },
      y: { label: null },
      color: { legend: true, domain: [...models], scheme: "tableau10" },
      marks: [Plot.barX(rows, Plot.stackX({ y: (r: { kind: string; cause: string }) => `${r.kind}: ${r.cause}`, x: "count", fill: "model", title: (r: { model: string; count: number }) => `${r.model}: ${r.count}` })), Plot.ruleX([0])],
    });
  }

  /** B − A with its paired 95% interval per task and metric (a forest plot). */
  differences(rows: readonly { label: string; diff: number; lo: number; hi: number; significant: boolean }[]): string {
    const longest = Math.max(...rows.map((r) => r.label.length));
    return this.#render({
      width: Math.max(860, 500 + 7 * longest),
      height: 90 + 34 * rows.length,
      marginLeft: 20 + 7 * longest,
      marginRight: 30,
      marginBottom: 40,
      x: { label: "B − A (paired 95% interval)", grid: true, nice: true },
      y: { label: null, domain: rows.map((r) => r.label) },
      color: { domain: [true, false], range: ["#c2410c", "#64748b"] },
      marks: [
        Plot.ruleX([0], { stroke: "#111", strokeDasharray: "3,3" }),
        Plot.ruleY(rows, { y: "label", x1: "lo", x2: "hi", stroke: "significant", strokeWidth: 2 }),
        Plot.dot(rows, { y: "label", x: "diff", fill: "significant", r: 4 }),
      ],
    });
  }
}

export interface CategoryRow {
  readonly category: string;
  readonly model: string;
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}
