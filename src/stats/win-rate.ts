/** Pairwise results over a run, from model a's side. */
export interface WinRateSummary {
  /** Pairs judged in both orders. */
  readonly n: number;
  readonly wins_a: number;
  readonly wins_b: number;
  readonly ties: number;
  /** (wins_a + ties / 2) / n; null with no pairs. */
  readonly win_rate_a: number | null;
  /** Wilson score interval of win_rate_a at 95%, ties counted as half a win. */
  readonly ci95: [number, number] | null;
  /** Share of pairs whose verdict did not change with the order: the judge's consistency. */
  readonly consistency: number | null;
  /** 1 − consistency: the share of verdicts that flipped when the order did. */
  readonly flip_rate: number | null;
  /** Of the single-order verdicts that named a winner, the share that named the answer shown first. */
  readonly first_position_rate: number | null;
}

/** What one pair contributes. */
export interface PairTally {
  readonly winner: "a" | "b" | "tie";
  readonly consistent: boolean;
  /** Decisive single-order verdicts (0–2) and how many of them chose the answer shown first. */
  readonly decisive: number;
  readonly chose_first: number;
}

const Z95 = 1.959963984540054;

/** Folds pair tallies into a win rate with its interval and the judge's consistency (pure, O(1) memory). */
export class WinRate {
  #n = 0;
  #a = 0;
  #b = 0;
  #ties = 0;
  #consistent = 0;
  #decisive = 0;
  #first = 0;

  add(t: PairTally): void {
    this.#n++;
    if (t.winner === "a") this.#a++;
    else if (t.winner === "b") this.#b++;
    else this.#ties++;
    if (t.consistent) this.#consistent++;
    this.#decisive += t.decisive;
    this.#first += t.chose_first;
  }

  summary(): WinRateSummary {
    const n = this.#n;
    const rate = n === 0 ? null : (this.#a + this.#ties / 2) / n;
    const consistency = n === 0 ? null : this.#consistent / n;
    return {
      n,
      wins_a: this.#a,
      wins_b: this.#b,
      ties: this.#ties,
      win_rate_a: rate,
      ci95: rate === null ? null : wilson(rate, n),
      consistency,
      flip_rate: consistency === null ? null : 1 - consistency,
      first_position_rate: this.#decisive === 0 ? null : this.#first / this.#decisive,
    };
  }
}

/** Wilson score interval for a proportion p of n (better than the normal interval near 0, 1 and for small n). */
export function wilson(p: number, n: number, z = Z95): [number, number] {
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
