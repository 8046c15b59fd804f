import { SimApiError } from "./api-error.js";
import type { SimRequest } from "./faults.js";

/**
 * Reading the fields chat and completions requests share, with OpenAI's 400 errors for bad values
 * (`Invalid 'n': integer above maximum value. Expected a value <= 128, but got 200 instead.`).
 */

export type Body = Record<string, unknown>;

/** The model name; 404 `model_not_found` when `known` is given and does not list it. */
export function readModel(body: Body, known: readonly string[] | undefined): string {
  const model = body.model;
  if (model === undefined) throw missing("model");
  if (typeof model !== "string" || model === "") throw invalidType("model", "a string", model);
  if (known && !known.includes(model)) {
    throw new SimApiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", null, "model_not_found");
  }
  return model;
}

/** An integer field within [min, max], or `fallback` when absent or null. */
export function readInteger(body: Body, name: string, min: number, max: number, fallback: number | undefined): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalidType(name, "an integer", v);
  if (v < min) throw bound(name, "below minimum", ">=", min, v);
  if (v > max) throw bound(name, "above maximum", "<=", max, v);
  return v;
}

/** `stop` as a list: a string, an array of strings, or none. */
export function readStop(body: Body): readonly string[] {
  const stop = body.stop;
  if (stop === undefined || stop === null) return [];
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) return stop;
  throw invalidType("stop", "a string or an array of strings", stop);
}

/** Whether to stream, and whether the stream ends with a usage chunk (`stream_options.include_usage`). */
export function readStreaming(body: Body): { stream: boolean; includeUsage: boolean } {
  const stream = body.stream ?? false;
  if (typeof stream !== "boolean") throw invalidType("stream", "a boolean", stream);
  const so = body.stream_options;
  if (so === undefined || so === null) return { stream, includeUsage: false };
  if (!stream) {
    throw new SimApiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options");
  }
  if (typeof so !== "object" || Array.isArray(so)) throw invalidType("stream_options", "an object", so);
  const include = (so as Body).include_usage ?? false;
  if (typeof include !== "boolean") throw invalidType("stream_options.include_usage", "a boolean", include);
  return { stream, includeUsage: include };
}

/** The sample id a request names: `metadata.sample_id`, else the `x-sample-id` header. */
export function readSampleId(body: Body, request: SimRequest): string | undefined {
  const meta = body.metadata;
  if (typeof meta === "object" && meta !== null) {
    const id = (meta as Body).sample_id;
    if (typeof id === "string") return id;
  }
  const header = request.headers["x-sample-id"];
  return typeof header === "string" ? header : undefined;
}

export function missing(name: string): SimApiError {
  return new SimApiError(400, `Missing required parameter: '${name}'.`, "invalid_request_error", name, "missing_required_parameter");
}

export function invalidType(name: string, expected: string, got: unknown): SimApiError {
  const kind = got === null ? "null" : Array.isArray(got) ? "an array" : typeof got;
  return new SimApiError(400, `Invalid type for '${name}': expected ${expected}, but got ${kind} instead.`, "invalid_request_error", name, "invalid_type");
}

function bound(name: string, what: string, op: string, limit: number, got: number): SimApiError {
  const code = what === "below minimum" ? "integer_below_min_value" : "integer_above_max_value";
  return new SimApiError(400, `Invalid '${name}': integer ${what} value. Expected a value ${op} ${limit}, but got ${got} instead.`, "invalid_request_error", name, code);
}
