import { z } from "../../zod.js";
import { pyStr } from "../../python/repr.js";
import type { FilterFactory, FilterStep } from "./types.js";

/**
 * `map` (lm-eval's MapFilter): `mapping_dict.get(resp, default_value)`. Outputs are strings, so a
 * mapped number prints as Python would (`1`), and a missing default as `None`.
 */
const Args = z.strictObject({
  mapping_dict: z.record(z.string(), z.unknown()).default({}),
  default_value: z.unknown().optional(),
});

export const map = {
  create(args): FilterStep {
    const a = Args.parse(args);
    const table = new Map(Object.entries(a.mapping_dict).map(([k, v]) => [k, pyStr(v)]));
    const fallback = pyStr(a.default_value ?? null);
    return (responses) => responses.map((r) => table.get(r) ?? fallback);
  },
} satisfies FilterFactory;
