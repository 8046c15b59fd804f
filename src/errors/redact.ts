/**
 * Secrets never reach output: what a server or a library says is scrubbed of the run's API keys
 * (a gateway may echo the key it was given: `Incorrect API key provided: sk-…`) and of credentials
 * written into URLs, before it can become a result line, a summary, a store record or a log line.
 */
export const REDACTED = "[REDACTED]";

/** Keys shorter than this are not secrets worth matching (`EMPTY`, `none`): they would garble text. */
const MIN_SECRET_LENGTH = 8;

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

/** `text` with every secret, and any `user:password@` of a URL, replaced. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(URL_CREDENTIALS, "$1***@");
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A URL with its `user:password@` removed (for display and storage). */
export function withoutCredentials(url: string): string {
  return url.replace(URL_CREDENTIALS, "$1");
}

/** True when the URL carries `user[:password]@`. */
export const hasCredentials = (url: string): boolean => new RegExp(URL_CREDENTIALS.source, "i").test(url);

/**
 * Scrubs an error in place, as far as its message, the body an API error carries (`error`), and its
 * cause chain: every string in them goes through redactSecrets. Returns the same error.
 */
export function scrubError<T>(error: T, secrets: readonly string[]): T {
  const seen = new Set<unknown>();
  const scrub = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redactSecrets(v, secrets);
    if (typeof v !== "object" || v === null || depth > 6 || seen.has(v)) return v;
    seen.add(v);
    for (const key of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d && "value" in d && d.writable) (v as Record<string, unknown>)[key] = scrub(d.value, depth + 1);
    }
    if (v instanceof Error) {
      v.message = redactSecrets(v.message, secrets);
      if (v.stack) v.stack = redactSecrets(v.stack, secrets);
      if (v.cause !== undefined) v.cause = scrub(v.cause, depth + 1);
    }
    return v;
  };
  return scrub(error, 0) as T;
}
