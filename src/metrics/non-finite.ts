import { z } from "../zod.js";

/**
 * The values of a sum that are not finite. A per-sample score can be NaN or ±Infinity (a Python
 * `process_results` returning `float("nan")`); lm-eval's `mean` is Python's `sum(arr) / len(arr)`, which
 * is then NaN or ±Infinity, and so is the result here instead of a crash. The finite values keep their
 * exact running sums apart; a state carries this part's sum as a string, since JSON has no NaN.
 */
export class NonFiniteSum {
  #sum: number | undefined;
  #n = 0;

  add(x: number, weight = 1): void {
    this.#sum = (this.#sum ?? 0) + weight * x;
    this.#n += weight;
  }

  /** NaN, ±Infinity, or undefined when every value was finite. */
  get sum(): number | undefined {
    return this.#sum;
  }

  /** How many values (their weights) were not finite. */
  get n(): number {
    return this.#n;
  }

  state(): NonFiniteState | undefined {
    return this.#sum === undefined ? undefined : { sum: String(this.#sum) as NonFiniteState["sum"], n: this.#n };
  }

  merge(state: NonFiniteState | undefined): void {
    if (state === undefined) return;
    this.#sum = (this.#sum ?? 0) + Number(state.sum);
    this.#n += state.n;
  }
}

export const NonFiniteStateSchema = z.strictObject({ sum: z.enum(["NaN", "Infinity", "-Infinity"]), n: z.number().positive() });
export type NonFiniteState = z.output<typeof NonFiniteStateSchema>;
