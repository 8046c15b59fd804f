import * as z from "zod";
import type { FilterFactory, FilterStep } from "./types.js";

/**
 * `majority_vote`: the most frequent response, as `Counter(resps).most_common(1)[0][0]`; among equally
 * frequent ones, the one seen first.
 */
export const majorityVote = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => {
      const counts = new Map<string, number>();
      let best: string | undefined;
      let bestCount = 0;
      for (const r of responses) {
        const c = (counts.get(r) ?? 0) + 1;
        counts.set(r, c);
        if (c > bestCount) {
          best = r;
          bestCount = c;
        }
      }
      // A later response that only ties never replaces the earlier leader, as in Counter's ordering.
      return best === undefined ? [] : [best];
    };
  },
} satisfies FilterFactory;
