import { z } from "../../zod.js";
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
      for (const r of responses) counts.set(r, (counts.get(r) ?? 0) + 1);
      let best: string | undefined;
      let bestCount = 0;
      // Insertion order, strictly greater: among equal counts the response seen first wins.
      for (const [r, c] of counts) {
        if (c > bestCount) {
          best = r;
          bestCount = c;
        }
      }
      return best === undefined ? [] : [best];
    };
  },
} satisfies FilterFactory;
