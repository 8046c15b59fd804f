import type { CutOffCause } from "../work/work-item.js";

/** How a failed attempt is treated: try again, give up on this sample, or stop the whole run. */
export type FailureKind = "retryable" | "permanent" | "fatal";

/**
 * A model call that failed for good (after any retries). Carried into the sample's error result;
 * `kind: "fatal"` (bad key, unknown model) stops the run with exit 4.
 */
export class ModelCallError extends Error {
  override readonly name = "ModelCallError";
  readonly code = "E_MODEL_CALL";
  constructor(
    message: string,
    readonly info: {
      readonly type: string;
      readonly kind: FailureKind;
      readonly attempts: number;
      readonly status?: number;
      readonly model?: string;
      readonly endpoint?: string;
      /** The call was not failed but cut off (refused by the budget, aborted by the run's signal). */
      readonly cutOff?: CutOffCause;
    },
  ) {
    super(message);
  }
}

/** Whether an error is a ModelCallError. */
export const isModelCallError = (e: unknown): e is ModelCallError => e instanceof ModelCallError;
