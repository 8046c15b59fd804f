import { ConfigError } from "../errors/config-error.js";

/**
 * Checks a base URL before anything is sent: it needs an http or https scheme and a host.
 * `127.0.0.1:8000/v1` (no scheme) would otherwise be read as a relative path or an unknown scheme,
 * and the run would wait on an endpoint it can never reach.
 */
export function checkBaseUrl(url: string, key: string): string {
  const parsed = parseHttpUrl(url, key);
  // fetch refuses these ports outright ("bad port"), before any connection: no timeout would ever
  // see the endpoint fail to answer, so the run would wait on it for ever.
  if (parsed.port !== "" && (parsed.port === "0" || FETCH_BAD_PORTS.has(Number(parsed.port)))) {
    throw new ConfigError(
      `port ${parsed.port} of ${JSON.stringify(url)} cannot be used: ${parsed.port === "0" ? "port 0 names no server" : "fetch refuses to connect to it (one of the Fetch standard's blocked ports, such as 1, 22 and 6000)"}; give the port your server listens on`,
      { key },
    );
  }
  return url;
}

/**
 * The ports the Fetch standard blocks (https://fetch.spec.whatwg.org/#bad-port), which Node's fetch
 * (and so the openai SDK) refuses with "bad port".
 */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
  137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719,
  1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

function parseHttpUrl(url: string, key: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const port = /^https?:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(url)?.[1];
  if (!parsed && port !== undefined && Number(port) > 65535) {
    throw new ConfigError(`port ${port} of ${JSON.stringify(url)} is out of range (a port is 1 to 65535); give the port your server listens on`, { key });
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.hostname === "") {
    const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(url) ? ` (did you mean http://${url}?)` : "";
    throw new ConfigError(`expected a base URL with http:// or https:// and a host, got ${JSON.stringify(url)}${hint}`, { key });
  }
  return parsed;
}
