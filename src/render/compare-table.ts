import type { ComparePair } from "../compare/compare-sides.js";

/**
 * `compare`'s table for stderr: per task and metric, A, B, B − A with its paired 95% interval, the
 * samples paired (and left unpaired), and McNemar's exact p with the discordant counts for 0/1 metrics.
 */
export function renderCompareTable(pairs: readonly ComparePair[]): string {
  if (pairs.length === 0) return "no task and metric in common to compare\n";
  const out: string[] = [];
  const sides = new Map<string, ComparePair[]>();
  for (const p of pairs) {
    const key = `${p.a.run}/${p.a.model}\n${p.b.run}/${p.b.model}`;
    sides.set(key, [...(sides.get(key) ?? []), p]);
  }
  for (const [key, group] of sides) {
    const [a, b] = key.split("\n");
    out.push(`A = ${a}   B = ${b}`);
    const rows = [["task", "metric", "A", "B", "B − A", "95% CI (paired bootstrap)", "n paired", "unpaired A/B", "McNemar p", "A only/B only"]];
    for (const p of group) {
      rows.push([
        p.task,
        p.metric,
        num(p.a.value),
        num(p.b.value),
        p.diff === null ? "-" : signed(p.diff),
        p.ci95 ? `[${signed(p.ci95[0])}, ${signed(p.ci95[1])}]${p.ci95[0] > 0 || p.ci95[1] < 0 ? " *" : ""}` : "-",
        String(p.n_paired),
        `${p.unpaired.a}/${p.unpaired.b}`,
        p.mcnemar ? pValue(p.mcnemar.p) : "-",
        p.mcnemar ? `${p.mcnemar.a_only}/${p.mcnemar.b_only}` : "-",
      ]);
    }
    out.push(table(rows), "");
  }
  out.push("* the 95% interval of B − A excludes 0");
  return `${out.join("\n")}\n`;
}

const num = (v: number | null) => (v === null ? "-" : v.toFixed(4));
const signed = (v: number) => `${v > 0 ? "+" : ""}${v.toFixed(4)}`;

/** A p-value to read: 4 decimals, or scientific notation below 0.0001. */
export function pValue(p: number): string {
  return p >= 1e-4 ? p.toFixed(4) : p.toExponential(1);
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]! + c.length - [...c].length)).join("  ").trimEnd()).join("\n");
}
