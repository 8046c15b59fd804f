/**
 * Per-sample limits of an agent loop, as inspect_ai names them. Each is optional; `message_limit`
 * defaults to 50 so that a loop always ends.
 */
export interface AgentLimits {
  /** Messages in the conversation (system, user, assistant and tool messages). */
  readonly message_limit?: number;
  /** Prompt + completion tokens over all model calls. */
  readonly token_limit?: number;
  /** Seconds from the sample's start, measured by the run's clock. */
  readonly time_limit?: number;
  /** USD over all model calls (needs the model's price). */
  readonly cost_limit?: number;
}

export type LimitName = keyof AgentLimits;

export const DEFAULT_MESSAGE_LIMIT = 50;

/** What the loop has used so far. */
export interface AgentUsed {
  readonly messages: number;
  readonly tokens: number;
  readonly elapsedMs: number;
  /** Null when some call had no known price. */
  readonly costUsd: number | null;
}

/** A limit reached: which one, its value and what was used (seconds for time, USD for cost). */
export interface LimitHit {
  readonly limit: LimitName;
  readonly value: number;
  readonly used: number;
}

const show = (v: unknown): string => (typeof v === "number" ? String(v) : JSON.stringify(v));

/** Checks limits when the factory or pipeline is built, with exact messages. */
export function validateLimits(limits: AgentLimits): void {
  // Absent limits may be present as undefined (picked from a config object).
  for (const [name, value] of Object.entries(limits) as [LimitName, unknown][]) {
    if (value === undefined) continue;
    if (name === "message_limit") {
      if (!Number.isInteger(value) || (value as number) < 2) throw new RangeError(`Expected \`message_limit\` to be an integer >= 2, got ${show(value)}`);
    } else if (name === "token_limit") {
      if (!Number.isInteger(value) || (value as number) < 1) throw new RangeError(`Expected \`token_limit\` to be an integer >= 1, got ${show(value)}`);
    } else if (name === "time_limit" || name === "cost_limit") {
      if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) throw new RangeError(`Expected \`${name}\` to be a number > 0, got ${show(value)}`);
    } else throw new RangeError(`Unknown agent limit \`${String(name)}\` (known: message_limit, token_limit, time_limit, cost_limit)`);
  }
}

/**
 * The first limit that stops the loop before its next model call, or undefined. A limit is reached
 * when what was used meets it: no room is left for another call. Pure.
 */
export function limitBeforeCall(limits: AgentLimits, used: AgentUsed): LimitHit | undefined {
  const messageLimit = limits.message_limit ?? DEFAULT_MESSAGE_LIMIT;
  // The reply would be one message more than the limit allows.
  if (used.messages >= messageLimit) return { limit: "message_limit", value: messageLimit, used: used.messages };
  return limitAfterCall(limits, used, true);
}

/**
 * The first of token, cost or time limit that a finished call went past, or undefined. A call that
 * crosses a limit ends the loop even when it answered: limits are hard. Pure.
 */
export function limitAfterCall(limits: AgentLimits, used: AgentUsed, reached = false): LimitHit | undefined {
  const past = (value: number, u: number) => (reached ? u >= value : u > value);
  if (limits.token_limit !== undefined && past(limits.token_limit, used.tokens)) return { limit: "token_limit", value: limits.token_limit, used: used.tokens };
  if (limits.cost_limit !== undefined && used.costUsd !== null && past(limits.cost_limit, used.costUsd)) {
    return { limit: "cost_limit", value: limits.cost_limit, used: used.costUsd };
  }
  if (limits.time_limit !== undefined && past(limits.time_limit * 1000, used.elapsedMs)) {
    return { limit: "time_limit", value: limits.time_limit, used: used.elapsedMs / 1000 };
  }
  return undefined;
}
