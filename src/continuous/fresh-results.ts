import { filter, map, type OperatorFunction, pipe } from "rxjs";
import type { EvalEvent, EventOf } from "../events.js";
import type { ResultLine } from "../types.js";

/**
 * The result lines scored by this process, from a run's events: results taken from the checkpoint
 * (`resumed`, reported by the process that scored them) are left out, as is every other event.
 */
export function freshResults(): OperatorFunction<EvalEvent, ResultLine> {
  return pipe(
    filter((e): e is EventOf<"result"> => e.type === "result" && e.resumed !== true),
    map((e) => e.line),
  );
}
