import { z } from "../../zod.js";
import type { FilterFactory, FilterStep } from "./types.js";

/** `take_first`: keeps the first response only (the harness's filter when a task has no `filter_list`). */
export const takeFirst = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.slice(0, 1);
  },
} satisfies FilterFactory;
