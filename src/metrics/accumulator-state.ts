import type { z } from "../zod.js";
import type { Accumulator, AccumulatorState, AggregationFactory } from "./types.js";

/** `state` read as an accumulator state of `kind` by `schema`; a TypeError on another kind or shape. */
export function parseAccumulatorState<S extends { readonly kind: string }>(schema: z.ZodType<S>, state: unknown, kind: string): S {
  const r = schema.safeParse(state);
  if (!r.success || r.data.kind !== kind) throw new TypeError(`Expected a \`${kind}\` accumulator state, got ${JSON.stringify(state)}`);
  return r.data;
}

/** An aggregation whose accumulators are rebuilt from `state()`: a fresh one merges it (`merge` checks it). */
export function accumulatorFactory(create: () => Accumulator): AggregationFactory {
  return {
    create,
    fromState(state: unknown): Accumulator {
      const acc = create();
      acc.merge(state as AccumulatorState);
      return acc;
    },
  };
}
