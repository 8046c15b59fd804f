/**
 * `streameval/reliability`: the parts each model's dispatcher is made of, for code that builds its own
 * (retries with backoff, deadlines, rate limits, an adaptive concurrency limit, circuit breakers).
 * `evaluate` builds them from `ModelTarget.reliability`; most users need nothing here.
 */
export { createDispatcher, type Dispatcher, type DispatchOutcome, type DispatcherOptions } from "./dispatcher.js";
export { createDispatchers, type DispatchTarget, type Dispatchers, type ReliabilityOptions } from "./create-dispatchers.js";
export { EndpointBreaker, BreakerOpenError, type BreakerOptions, type BreakerState } from "./endpoint-breaker.js";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
export { serverRetryAfterMs } from "../errors/retry-after.js";
export { TokenBucket } from "./token-bucket.js";
export { RateLimits, estimateTokens } from "./rate-limits.js";
export { AdaptiveLimit } from "./adaptive-limit.js";
export { Demand } from "../io/demand.js";
export { AttemptWatchdog, type AttemptTimeouts, type AttemptWatch } from "./attempt-watch.js";
export { ReliabilityStats, type ModelReliability } from "./reliability-stats.js";
