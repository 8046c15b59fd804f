import type { PairwiseSummary } from "../compare/pairwise-judge.js";

const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);

/** The pairwise summary as the lines printed on stderr (pure). */
export function renderPairwise(s: PairwiseSummary & { unpaired?: { a: number; b: number } }): string {
  const a = s.a ?? "A";
  const b = s.b ?? "B";
  const ci = s.ci95 ? ` (95% CI ${pct(s.ci95[0])}–${pct(s.ci95[1])})` : "";
  const lines = [
    `pairwise: ${a} vs ${b}, judged by ${s.judge} in both orders`,
    `  pairs ${s.n} · ${a} wins ${s.wins_a} · ${b} wins ${s.wins_b} · ties ${s.ties} (flipped verdicts count as ties)`,
    `  ${a} win rate ${pct(s.win_rate_a)}${ci}, ties counted half`,
    `  judge consistency ${pct(s.consistency)} (verdicts flipped with the order: ${pct(s.flip_rate)}) · first answer shown chosen ${pct(s.first_position_rate)} of decisive verdicts`,
    `  errors ${s.errors}${s.unpaired ? ` · unpaired lines ${s.unpaired.a} in A, ${s.unpaired.b} in B` : ""} · judge cost ${s.cost_usd === null ? "unknown (no price)" : `$${s.cost_usd.toFixed(6)}`}`,
  ];
  if (s.undone > 0) lines.push(`  not judged ${s.undone} (${s.stopped?.reason === "budget" ? "the budget ran out: rerun with a larger --budget-usd" : "stopped early"})`);
  return `${lines.join("\n")}\n`;
}
