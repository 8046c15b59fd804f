import type { Registry } from "prom-client";
import { startSiblingWorker } from "../io/sibling-worker.js";

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

/** A running `/metrics` endpoint: its URL and how to close it. */
export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open scrape connections. */
  close(): Promise<void>;
}

type FromThread =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "failed"; readonly code?: string; readonly message: string }
  | { readonly type: "scrape"; readonly id: number };

/**
 * Serves the registry in the Prometheus text format at `GET /metrics` (also `/`); anything else is
 * a 404. Resolves once listening; rejects when the port is taken (the error's `code`, as node's:
 * EADDRINUSE, EACCES).
 *
 * The HTTP server runs on a worker thread (metrics-server-thread.ts), and this thread renders the
 * registry when a scrape asks: served from the run's own thread, a scrape made Node's stream code,
 * which the run's requests use, deoptimize for the server's objects, and the run slower from then on.
 * The thread never keeps the process alive, nor does a scraper's keep-alive connection.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Expected \`port\` to be an integer from 0 to 65535, got ${port}`);
  }
  const host = options.host ?? "127.0.0.1";
  const allowed = [...new Set([...LOOPBACK_NAMES, host, ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()))];
  const worker = startSiblingWorker(import.meta.url, "metrics-server-thread", { workerData: { port, host, allowed } });
  const listening = new Promise<number>((resolve, reject) => {
    worker.on("message", (msg: FromThread) => {
      if (msg.type === "listening") resolve(msg.port);
      else if (msg.type === "failed") reject(Object.assign(new Error(msg.message), msg.code ? { code: msg.code } : {}));
      else
        registry.metrics().then(
          (text) => worker.postMessage({ id: msg.id, text, contentType: registry.contentType }),
          (error: unknown) => worker.postMessage({ id: msg.id, error: String(error) }),
        );
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the metrics server's thread exited (${code}) before listening`)));
  });
  let actual: number;
  try {
    actual = await listening;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  // After start-up, a failure of the endpoint's thread stops the endpoint, not the run.
  worker.on("error", (error) => process.emitWarning(`the metrics endpoint stopped: ${error.message}`));
  // Held while starting (the caller awaits it); from here on, neither the thread nor a scraper's open
  // connection keeps the process alive. Adding a 'message' listener refs a worker again: none is added later.
  worker.unref();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${actual}/metrics`,
    port: actual,
    // Ending the thread closes its server and every connection (a thread already gone ends at once).
    close: () => {
      worker.ref(); // the caller awaits this: the process waits for the thread to end
      return (closing ??= worker.terminate().then(() => undefined));
    },
  };
}
