import { lineScores } from "../metrics/line-scores.js";
import type { ResultFold } from "../types.js";

/** A metric's running mean and its standard error (sample standard deviation / √n, as lm-eval's mean). */
export interface RunningScore {
  readonly task: string;
  readonly model: string;
  readonly metric: string;
  readonly value: number;
  /** Null below two scores. */
  readonly stderr: number | null;
  readonly n: number;
}

/**
 * Running mean ± standard error of each task × model × metric, folded from result lines as they come
 * (Welford's update: numerically stable, constant memory per series). Each sample counts once: a
 * score's `weights` are not applied, so a weighted or ratio metric's running value is the plain mean
 * of its per-sample scores; the summary at the end has the exact aggregate.
 */
export class RunningScores {
  readonly #series = new Map<string, { task: string; model: string; metric: string; n: number; mean: number; m2: number }>();

  add(line: ResultFold): void {
    if (line.status !== "ok") return;
    for (const [metric, x] of Object.entries(lineScores(line))) {
      if (!Number.isFinite(x)) continue;
      const key = `${line.task}\0${line.model}\0${metric}`;
      let s = this.#series.get(key);
      if (!s) this.#series.set(key, (s = { task: line.task, model: line.model, metric, n: 0, mean: 0, m2: 0 }));
      s.n++;
      const delta = x - s.mean;
      s.mean += delta / s.n;
      s.m2 += delta * (x - s.mean);
    }
  }

  *rows(): Iterable<RunningScore> {
    for (const s of this.#series.values()) yield { task: s.task, model: s.model, metric: s.metric, value: s.mean, stderr: s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1) / s.n) : null, n: s.n };
  }
}
