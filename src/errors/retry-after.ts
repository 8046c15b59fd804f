/**
 * What the server asked for: how long to wait before the next request, read from a response's
 * headers. Pure; `nowEpochMs` is injected for the HTTP-date and timestamp forms.
 *
 * - `retry-after-ms`: milliseconds (OpenAI, Azure).
 * - `retry-after`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * - `x-ratelimit-reset-requests` / `-tokens` (OpenAI: durations such as `1s`, `6m0s`, `120ms`),
 *   and a bare `x-ratelimit-reset` (seconds, or epoch seconds as GitHub sends them), also ISO dates.
 *   A reset for a limit whose `x-ratelimit-remaining-*` is above 0 is not what was hit, so it is
 *   ignored: waiting for a daily request quota to reset because tokens ran out would stall the run.
 *
 * The answer is the longest of the waits asked for (never retry sooner than the server asked), or
 * undefined when no header asks for one.
 */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>> | null | undefined;

const RESET_HEADERS = [
  ["x-ratelimit-reset-requests", "x-ratelimit-remaining-requests"],
  ["x-ratelimit-reset-tokens", "x-ratelimit-remaining-tokens"],
  ["x-ratelimit-reset", "x-ratelimit-remaining"],
] as const;

export function serverRetryAfterMs(headers: HeaderSource, nowEpochMs: number): number | undefined {
  if (!headers) return undefined;
  const get = (name: string) => header(headers, name);
  const waits: number[] = [];
  const ms = get("retry-after-ms");
  if (ms !== undefined) {
    const v = Number(ms);
    if (ms.trim() !== "" && Number.isFinite(v)) waits.push(Math.max(0, v));
  }
  const ra = get("retry-after");
  if (ra !== undefined) {
    const v = parseRetryAfter(ra, nowEpochMs);
    if (v !== undefined) waits.push(v);
  }
  for (const [reset, remaining] of RESET_HEADERS) {
    const text = get(reset);
    if (text === undefined) continue;
    const left = get(remaining);
    if (left !== undefined && Number(left) > 0) continue;
    const v = parseReset(text, nowEpochMs);
    if (v !== undefined) waits.push(v);
  }
  return waits.length ? Math.max(...waits) : undefined;
}

/** `Retry-After`: delta-seconds (fractions accepted) or an HTTP-date; undefined when neither. */
export function parseRetryAfter(text: string, nowEpochMs: number): number | undefined {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/[a-z]/i.test(t)) return undefined;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

/**
 * A rate-limit reset: a Go-style duration (`1h2m3.5s`, `6m0s`, `120ms`), a number of seconds (a
 * number above 1e9 is an epoch timestamp in seconds), or an ISO date. Undefined when none of these.
 */
export function parseReset(text: string, nowEpochMs: number): number | undefined {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 1e9 ? Math.max(0, n * 1000 - nowEpochMs) : n * 1000;
  }
  const d = parseDuration(t);
  if (d !== undefined) return d;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, "µs": 0.001, ns: 1e-6 };

/** A Go `time.Duration` string as OpenAI sends it (`6m0s`, `1.5s`, `20ms`) in ms; undefined otherwise. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  return matched > 0 && matched === text.length ? total : undefined;
}

function header(headers: NonNullable<HeaderSource>, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);
}
