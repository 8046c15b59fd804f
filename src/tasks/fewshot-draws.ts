import { PyRandom } from "../python/random.js";

/** Draws remembered for positions asked again soon (a sample's prompt, its hook stage, its estimate). */
const RECENT = 64;
/** At most this many saved generator states (2.5 KB each): their spacing doubles when there would be more. */
const MAX_CHECKPOINTS = 128;

/**
 * lm-eval's default few-shot draws (ContextSampler): one `random.Random(seed)` shared by a task's documents
 * in dataset order, each drawing `random.sample(pool, k)`. Position p gets the p-th draw: positions asked in
 * order cost one draw each; an earlier position is drawn again from the nearest saved state before it.
 */
export class LmEvalDraws {
  #rng: PyRandom;
  /** The position `#rng` draws next. */
  #next = 0;
  #spacing = 1024;
  readonly #checkpoints = new Map<number, PyRandom>();
  readonly #recent = new Map<number, readonly number[]>();

  constructor(
    private readonly seed: number,
    private readonly poolSize: number,
    private readonly k: number,
  ) {
    this.#rng = seeded(seed);
  }

  /** The pool indices the document at `position` (0-based) draws, in lm-eval's order. */
  draw(position: number): readonly number[] {
    const known = this.#recent.get(position);
    if (known) return known;
    let picks: number[];
    if (position >= this.#next) {
      while (this.#next < position) this.#step(this.#rng);
      picks = this.#step(this.#rng);
    } else {
      let from = position - (position % this.#spacing);
      while (from > 0 && !this.#checkpoints.has(from)) from -= this.#spacing;
      const rng = this.#checkpoints.get(from)?.clone() ?? seeded(this.seed);
      for (let p = from; p < position; p++) rng.sample(this.poolSize, this.k);
      picks = rng.sample(this.poolSize, this.k);
    }
    this.#recent.set(position, picks);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.keys().next().value!);
    return picks;
  }

  /** The draw at `#next`, saving the state before it at each multiple of the spacing. */
  #step(rng: PyRandom): number[] {
    if (this.#next > 0 && this.#next % this.#spacing === 0) {
      this.#checkpoints.set(this.#next, rng.clone());
      if (this.#checkpoints.size > MAX_CHECKPOINTS) {
        this.#spacing *= 2;
        for (const p of this.#checkpoints.keys()) if (p % this.#spacing !== 0) this.#checkpoints.delete(p);
      }
    }
    this.#next++;
    return rng.sample(this.poolSize, this.k);
  }
}

/** `random.Random(seed)`: CPython seeds with the int's absolute value. */
const seeded = (seed: number): PyRandom => new PyRandom(Math.abs(seed));
