import type OpenAI from "openai";
import { openaiSdk } from "../errors/openai-sdk.js";
import { cappedFetch, DEFAULT_MAX_REPLY_BYTES } from "./capped-fetch.js";
import { httpFetch } from "./http-fetch.js";

/**
 * Creates an SDK client with its own retries off (streameval counts and paces every attempt itself)
 * and reply bodies capped at `maxReplyBytes` (default 16 MiB: a server that never stops sending
 * costs at most that per request), sending over node:http(s) (`httpFetch`: about 40% of fetch's CPU per request).
 */
export function createSdkClient(opts: { baseURL?: string; apiKey: string; maxReplyBytes?: number }): OpenAI {
  // logLevel off: a malformed stream event would make the SDK print it; it is classified and retried instead.
  const { OpenAI } = openaiSdk();
  return new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxRetries: 0,
    timeout: 24 * 3600_000,
    logLevel: "off",
    fetch: cappedFetch(opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES, httpFetch()),
  });
}
