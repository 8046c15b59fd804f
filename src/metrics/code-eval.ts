import { z } from "../zod.js";
import type { MetricFactory, MetricFn } from "./types.js";

/** A code metric's options: the k of pass@k, and how an answer becomes the candidate program. */
export interface CodeEvalOptions {
  readonly ks: readonly number[];
  /** A Jinja template over the doc's fields and `completion` (the filtered answer); absent: the answer itself. */
  readonly program?: string;
}

/** A metric that runs each filtered answer, then the reference's tests, in the code execution sandbox. */
export interface CodeMetricFactory extends MetricFactory<"mean"> {
  readonly executesCode: {
    /** Validates the metric entry's options (throws a ZodError). */
    parse(options: Readonly<Record<string, unknown>>): CodeEvalOptions;
    /** The score key for pass@k (before `,filter`). */
    key(k: number): string;
  };
}

const Ks = z.union([z.int().min(1), z.array(z.int().min(1)).min(1)], { error: "expected an integer >= 1 or a list of them" });

function codeMetric(name: string, executesCode: CodeMetricFactory["executesCode"]): CodeMetricFactory {
  return {
    aggregation: "mean",
    higherIsBetter: true,
    outputTypes: ["generate_until"],
    executesCode,
    create(options): MetricFn {
      executesCode.parse(options);
      return () => {
        throw new Error(`\`${name}\` runs the prediction as a program: the code execution stage scores it, not a text comparison`);
      };
    },
  };
}

/**
 * `code_eval`: HF evaluate's code_eval, as lm-eval's humaneval calls it. The program is the candidate
 * (the filtered answer, or `program` rendered with it as `completion`), a newline, then the reference
 * (the task's tests); it passes when it runs to the end in the sandbox within the time limit. Keys are
 * HF's: `pass@k` for each k of `k` (default [1]), the unbiased estimator over a sample's repeats, each k
 * reported once there are at least k repeats.
 */
export const codeEval = codeMetric("code_eval", {
  parse: (options) => {
    const o = z.strictObject({ k: Ks.default([1]), program: z.string().min(1).optional() }).parse(options);
    return { ks: [...new Set(Array.isArray(o.k) ? o.k : [o.k])].sort((a, b) => a - b), ...(o.program ? { program: o.program } : {}) };
  },
  key: (k) => `pass@${k}`,
});

/** `pass_at_1`: code_eval with k = 1 under the key lm-eval's mbpp reports (`utils.pass_at_1`). */
export const passAt1 = codeMetric("pass_at_1", {
  parse: (options) => {
    const o = z.strictObject({ program: z.string().min(1).optional() }).parse(options);
    return { ks: [1], ...(o.program ? { program: o.program } : {}) };
  },
  key: () => "pass_at_1",
});

export function isCodeMetric(factory: MetricFactory): factory is CodeMetricFactory {
  return (factory as Partial<CodeMetricFactory>).executesCode !== undefined;
}
