/** Which per-attempt deadline passed: the whole attempt, the first streamed chunk, or the gap between two. */
export type TimeoutKind = "total" | "ttft" | "idle";

/** An attempt cut off by one of its deadlines (`--timeout`, `--ttft-timeout`, `--idle-timeout`). Retryable. */
export class AttemptTimeoutError extends Error {
  override readonly name = "AttemptTimeoutError";
  readonly code = "E_ATTEMPT_TIMEOUT";
  constructor(
    readonly kind: TimeoutKind,
    readonly ms: number,
  ) {
    super(
      kind === "total"
        ? `the attempt took longer than ${ms / 1000}s (--timeout)`
        : kind === "ttft"
          ? `no reply within ${ms / 1000}s of sending (--ttft-timeout)`
          : `the stream was silent for ${ms / 1000}s (--idle-timeout)`,
    );
  }
}

/** Whether an error is an AttemptTimeoutError. */
export const isAttemptTimeoutError = (e: unknown): e is AttemptTimeoutError => e instanceof AttemptTimeoutError;
