import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** Where `/metrics` listens (127.0.0.1 and a port; 0 picks a free one). */
export interface MetricsServerOptions {
  readonly registry: Registry;
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1: the endpoint is for local scrapers, not the network. */
  readonly host?: string;
  /**
   * Host names a request's `Host` header may carry besides the loopback names (`localhost`,
   * `127.0.0.1`, `::1`) and `host`, e.g. the name a local reverse proxy forwards. Any other name is
   * refused (403): a web page whose domain the attacker re-points at 127.0.0.1 (DNS rebinding) sends
   * its own name, so it cannot read the metrics from a browser on this machine.
   */
  readonly allowedHosts?: readonly string[];
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), lower-cased; undefined if malformed. */
function hostName(header: string): string | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d+))?$/i.exec(header.trim());
  return m ? (m[1] ?? m[2])!.toLowerCase().replace(/\.$/, "") : undefined;
}

/** A running `/metrics` endpoint: its URL and how to close it. */
export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open scrape connections. */
  close(): Promise<void>;
}

/**
 * Serves the registry in the Prometheus text format at `GET /metrics` (also `/`); anything else is
 * a 404. Resolves once listening; rejects when the port is taken.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Expected \`port\` to be an integer from 0 to 65535, got ${port}`);
  }
  const host = options.host ?? "127.0.0.1";
  const allowed = new Set([...LOOPBACK_NAMES, host, ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  const server = createServer((req, res) => {
    // A page of another site re-pointed at 127.0.0.1 sends its own name (node's server already answers 400 to none).
    const name = hostName(req.headers.host ?? "");
    if (name === undefined || !allowed.has(name)) {
      res.writeHead(403, { "content-type": "text/plain" }).end("forbidden: Host is not a loopback name\n");
      return;
    }
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/metrics" && path !== "/")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: scrape GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A scraper's keep-alive socket must not hold the process open after the run.
  server.unref();
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/metrics`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
