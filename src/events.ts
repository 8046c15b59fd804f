import type { BudgetState } from "./cost/budget.js";
import type { Reject, ResultLine, SourcePosition, Usage } from "./types.js";

/**
 * What happens during a run, as a stream of typed events. Stages emit them; progress, the summary,
 * metrics endpoints and the store fold them. No stage knows who listens.
 */
export type EvalEvent =
  /** A finished sample × model × repeat (ok or error). */
  | { readonly type: "result"; readonly line: ResultLine; readonly resumed?: boolean }
  /** An input line set aside (bad JSON, missing field …). */
  | { readonly type: "reject"; readonly reject: Reject }
  /** An id seen before in this input; the later line is evaluated too, and reported here. */
  | { readonly type: "duplicate-id"; readonly id: string; readonly at: SourcePosition; readonly first: SourcePosition }
  /** A sample read from the source (before expansion over models and repeats). */
  | { readonly type: "sample-read"; readonly id: string; readonly at: SourcePosition }
  | { readonly type: "request-start"; readonly model: string; readonly id: string; readonly attempt: number }
  | {
      readonly type: "request-end";
      readonly model: string;
      readonly id: string;
      readonly attempt: number;
      readonly ok: boolean;
      readonly errorType?: string;
      readonly usage?: Usage | null;
      readonly ttft_ms?: number | null;
      readonly e2e_ms?: number;
      /** Why the call was made: `eval` (default) or a helper such as `judge`; helpers' costs are kept apart. */
      readonly purpose?: string;
    }
  /** The run's budget as it ended (runs with `--budget-usd` or `--max-tokens-total`). */
  | { readonly type: "budget"; readonly state: BudgetState }
  /** Something the user should read once (unknown price, config drift …). */
  | { readonly type: "warning"; readonly message: string }
  /** The run stops dispatching: budget, interrupt or fatal API error. */
  | { readonly type: "stopping"; readonly reason: "budget" | "interrupted" | "fatal"; readonly message: string };

export type EventType = EvalEvent["type"];
export type EventOf<T extends EventType> = Extract<EvalEvent, { type: T }>;
