import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";

/**
 * The `/metrics` endpoint's HTTP server, on a worker thread of its own (metrics-server.ts starts it).
 * Serving HTTP on the run's own thread made Node's stream and socket code, which the run's requests to
 * the model use, see the server's objects too: V8 deoptimized it for the new shapes, and the whole run
 * went 5–10% slower from the first scrape on (bench/instrumentation.ts). Here the server's objects stay
 * in this thread's isolate; the run's thread only renders the registry's text when asked.
 *
 * workerData: {port, host, allowed: host names}. Messages out: {type: "listening", port} or
 * {type: "failed", code, message} once; then {type: "scrape", id} per scrape. In: {id, text, contentType}
 * or {id, error} (a scrape's answer). The thread is closed by ending it (its server and connections with it).
 */
interface Data {
  readonly port: number;
  readonly host: string;
  readonly allowed: readonly string[];
}
type Answer = { readonly id: number; readonly text: string; readonly contentType: string } | { readonly id: number; readonly error: string };

const port = parentPort;
if (!port) throw new Error("metrics-server-thread runs on a worker thread");
const { port: wanted, host, allowed: allowedList } = workerData as Data;
const allowed = new Set(allowedList);
const waiting = new Map<number, (answer: Answer) => void>();
let nextId = 0;

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), lower-cased; undefined if malformed. */
function hostName(header: string): string | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d+))?$/i.exec(header.trim());
  return m ? (m[1] ?? m[2])!.toLowerCase().replace(/\.$/, "") : undefined;
}

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
  const id = nextId++;
  waiting.set(id, (answer) => {
    if ("error" in answer) res.writeHead(500, { "content-type": "text/plain" }).end(`${answer.error}\n`);
    else res.writeHead(200, { "content-type": answer.contentType }).end(answer.text);
  });
  port.postMessage({ type: "scrape", id });
});

port.on("message", (msg: Answer) => {
  const answer = waiting.get(msg.id);
  waiting.delete(msg.id);
  answer?.(msg);
});

server.once("error", (error: NodeJS.ErrnoException) => port.postMessage({ type: "failed", code: error.code, message: error.message }));
server.listen(wanted, host, () => port.postMessage({ type: "listening", port: (server.address() as AddressInfo).port }));
