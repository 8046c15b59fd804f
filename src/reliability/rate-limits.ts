import type { Clock } from "../clock.js";
import { contentText } from "../media/content-parts.js";
import { mediaPromptTokens } from "../media/request-media.js";
import type { ChatRequest } from "../work/model.js";
import { TokenBucket } from "./token-bucket.js";

export interface RateLimitOptions {
  /** Requests per minute for this model. */
  readonly rpm?: number;
  /** Tokens (prompt + completion) per minute for this model. */
  readonly tpm?: number;
  readonly clock: Clock;
}

/** A granted request: settle it once the reply (or failure) says how many tokens were really used. */
export interface RateTicket {
  /**
   * `tokens`: what the server reported (prompt + completion); 0 gives the whole reservation back
   * (the server turned the request away); null keeps the estimate (no usage reported).
   */
  readonly settle: (tokens: number | null) => void;
}

/**
 * What a dispatcher asks before each attempt: one request and an estimate of its tokens. RateLimits
 * holds the limits in this process; a queue's workers share theirs through Redis (src/queue).
 */
export interface RateLimiter {
  /** Resolves once the request may go out; rejects with the signal's reason if aborted. */
  acquire(estimate: number, signal?: AbortSignal): Promise<RateTicket>;
}

const NOOP_TICKET: RateTicket = { settle: () => {} };

/**
 * Per-model request and token rate limits as two token buckets. Each bucket holds one second's
 * worth (providers enforce per-minute limits in shorter slices: 60,000 RPM is 1,000 per second)
 * and refills continuously. TPM reserves an estimate before the request goes out and settles with
 * the reported usage, so a run's token rate follows what the server counts.
 */
export class RateLimits implements RateLimiter {
  readonly #requests?: TokenBucket;
  readonly #tokens?: TokenBucket;

  constructor(options: RateLimitOptions) {
    for (const key of ["rpm", "tpm"] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`Expected \`${key}\` to be a number > 0, got ${v}`);
    }
    if (options.rpm) this.#requests = perMinute(options.rpm, options.clock);
    if (options.tpm) this.#tokens = perMinute(options.tpm, options.clock);
  }

  get limited(): boolean {
    return this.#requests !== undefined || this.#tokens !== undefined;
  }

  /** Waits for one request and `estimate` tokens; rejects with the signal's reason if aborted. */
  async acquire(estimate: number, signal?: AbortSignal): Promise<RateTicket> {
    if (!this.limited) return NOOP_TICKET;
    await this.#requests?.take(1, signal);
    const tokens = this.#tokens;
    if (!tokens) return NOOP_TICKET;
    await tokens.take(estimate, signal);
    let settled = false;
    return {
      settle: (used) => {
        if (settled) return;
        settled = true;
        if (used !== null) tokens.adjust(estimate - used);
      },
    };
  }
}

function perMinute(limit: number, clock: Clock): TokenBucket {
  const perMs = limit / 60_000;
  return new TokenBucket({ capacity: Math.max(1, limit / 60), refillPerMs: perMs, clock });
}

/**
 * The tokens a request may use, before it is sent: prompt characters / 4 (OpenAI's rule of thumb
 * for English) plus the completion budget (`max_tokens`, else 256).
 */
export function estimateTokens(request: ChatRequest): number {
  let chars = 0;
  for (const m of request.messages) chars += contentText(m.content).length + 4;
  return Math.ceil(chars / 4) + mediaPromptTokens(request.messages) + (request.max_tokens ?? 256) * (request.n ?? 1);
}
