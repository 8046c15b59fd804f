/**
 * A request the sim refuses, carrying what OpenAI's JSON error body holds. Thrown by request parsing and
 * turned into a reply by the server; it never leaves the sim.
 */
export class SimApiError extends Error {
  override readonly name = "SimApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** OpenAI's error body: `{"error": {message, type, param, code}}`. */
  toBody(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type, param: this.param, code: this.code } });
  }
}

/** The error OpenAI sends for a status when nothing more specific is known (used by status faults). */
export function errorForStatus(status: number): SimApiError {
  if (status === 429) {
    return new SimApiError(429, "Rate limit reached for requests (simulated).", "requests", null, "rate_limit_exceeded");
  }
  if (status === 401) return new SimApiError(401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
  if (status >= 500) {
    return new SimApiError(status, "The server had an error while processing your request (simulated).", "server_error");
  }
  return new SimApiError(status, `Simulated error with status ${status}.`);
}
