import { randomBinomial, randomLcg } from "d3-random";

export interface PairedBootstrapOptions {
  /** Resamples (default 10,000). */
  readonly resamples?: number;
  /** Seed of the generator (default 0): the same data and seed give the same interval. */
  readonly seed?: number;
  /** Coverage of the percentile interval (default 0.95). */
  readonly level?: number;
}

/** At most this many distinct differences: above it, resample indices one by one. */
const MAX_DISTINCT_FOR_COUNTS = 64;

/**
 * A percentile interval for mean(b − a) over paired samples: each resample draws n pairs with
 * replacement and takes the mean difference. The generator is seeded (d3-random's LCG), so the
 * interval is reproducible.
 *
 * When the differences take few distinct values (0/1 metrics give −1, 0, 1; a 1–10 judge score a few
 * dozen), a resample is drawn as its counts per value (a multinomial, by successive binomials),
 * which has exactly the distribution of drawing n indices, at a cost independent of n; otherwise each
 * resample draws n indices.
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedBootstrapOptions = {}): [number, number] {
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  if (a.length !== b.length) throw new RangeError(`Expected paired samples of one length, got ${a.length} and ${b.length}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`Expected \`resamples\` to be an integer >= 1, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`Expected \`level\` to be between 0 and 1, got ${level}`);
  const n = a.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const diffs = Float64Array.from({ length: n }, (_, i) => b[i]! - a[i]!);
  const source = randomLcg(options.seed ?? 0);
  const means = new Float64Array(resamples);
  const counts = new Map<number, number>();
  for (const d of diffs) {
    counts.set(d, (counts.get(d) ?? 0) + 1);
    if (counts.size > MAX_DISTINCT_FOR_COUNTS) break;
  }
  if (counts.size <= MAX_DISTINCT_FOR_COUNTS) {
    const binomial = randomBinomial.source(source);
    const values = [...counts.keys()];
    const probs = values.map((v) => counts.get(v)! / n);
    for (let r = 0; r < resamples; r++) {
      let left = n;
      let mass = 1;
      let sum = 0;
      for (let j = 0; j < values.length && left > 0; j++) {
        const last = j === values.length - 1;
        const draw = last ? left : binomial(left, Math.min(1, probs[j]! / mass))();
        sum += draw * values[j]!;
        left -= draw;
        mass -= probs[j]!;
      }
      means[r] = sum / n;
    }
  } else {
    // The generator's uniform straight into an index: the hot loop of a large run (n × resamples draws).
    for (let r = 0; r < resamples; r++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += diffs[Math.floor(source() * n)]!;
      means[r] = sum / n;
    }
  }
  means.sort();
  const tail = (1 - level) / 2;
  return [quantileSorted(means, tail), quantileSorted(means, 1 - tail)];
}

/** The p-quantile of sorted values, interpolating linearly between ranks (numpy's default, R type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
