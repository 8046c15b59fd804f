import OpenAI from "openai";

/** Creates an SDK client with its own retries off: streameval counts and paces every attempt itself. */
export function createSdkClient(opts: { baseURL?: string; apiKey: string }): OpenAI {
  // logLevel off: a malformed stream event would make the SDK print it; it is classified and retried instead.
  return new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: 0, timeout: 24 * 3600_000, logLevel: "off" });
}
