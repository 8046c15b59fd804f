import { ConfigError } from "../errors/config-error.js";

/**
 * Checks a base URL before anything is sent: it needs an http or https scheme and a host.
 * `127.0.0.1:8000/v1` (no scheme) would otherwise be read as a relative path or an unknown scheme,
 * and the run would wait on an endpoint it can never reach.
 */
export function checkBaseUrl(url: string, key: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.hostname === "") {
    const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(url) ? ` (did you mean http://${url}?)` : "";
    throw new ConfigError(`expected a base URL with http:// or https:// and a host, got ${JSON.stringify(url)}${hint}`, { key });
  }
  return url;
}
