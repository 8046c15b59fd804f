import { Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { pipeline, type Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { sendingBody } from "./lent-bodies.js";
import { NodeResponse, reasonOf } from "./node-response.js";

/**
 * `fetch` for the SDK over node:http(s) with a keep-alive pool, for the requests the SDK sends (a URL and a
 * string or bytes body); anything else (a Request object, a stream or form body, `redirect` other than
 * "follow", an undici `dispatcher`) goes to the global fetch. Through the global fetch (undici's WHATWG fetch:
 * web streams, WebIDL conversions, abort signals) a streamed request of the SDK costs about 1.6 ms of CPU; through
 * this transport, its reply read from the Node stream (`sseJsonBatches`), 0.7 ms. At 32 requests in flight on a
 * 2-core machine the client's CPU is what paces a run (docs/benchmarks.md, "The transport").
 *
 * Same behaviour as fetch where the SDK and this package can tell: redirects followed (at most 20; 301/302/303
 * turn a POST into a GET; credentials dropped on a cross-origin hop); gzip, deflate and br replies decoded; a
 * failure before the reply is a `TypeError("fetch failed")` with the network error as its cause; a body cut short
 * errors with a `TypeError("terminated")`; an abort rejects with the signal's reason (an `AbortError`) and ends
 * the body with it.
 *
 * The reply is a `NodeResponse` (./node-response.ts): the Response members the SDK reads, its body a web stream
 * only when read as one, or straight the Node stream for a reader of its own (`nodeBodyOf`).
 */
export function httpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const fallback = options.fallback ?? ((input, init) => globalThis.fetch(input, init));
  // Idle pooled sockets are closed (a server's shorter `Keep-Alive: timeout` hint wins) so a request is not sent
  // on a socket the server is closing; a reply that pauses longer is not cut. Idle sockets keep no process alive.
  const timeout = options.idleSocketMs ?? 4000;
  const agents: Agents = {
    "http:": new HttpAgent({ keepAlive: true, maxSockets: Infinity, scheduling: "lifo", timeout }),
    "https:": new HttpsAgent({ keepAlive: true, maxSockets: Infinity, scheduling: "lifo", timeout }),
  };
  return (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? safeUrl(input) : input instanceof URL ? input : undefined;
    if (url === undefined || !PROTOCOLS.has(url.protocol) || !sendsItself(init)) return fallback(input, init);
    return send(url, init ?? {}, agents, 0);
  };
}

export interface HttpFetchOptions {
  /** Where requests this transport does not send itself go (default: the global fetch). */
  readonly fallback?: typeof fetch;
  /** How long a pooled socket may sit idle before it is closed (default 4000 ms, undici's). */
  readonly idleSocketMs?: number;
}

type Protocol = "http:" | "https:";
type Agents = Record<Protocol, HttpAgent>;
const PROTOCOLS = new Set(["http:", "https:"]);
const MAX_REDIRECTS = 20;
/** Headers about the body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Request headers that do not follow a redirect to another origin (as fetch drops them). */
const CREDENTIALS = ["authorization", "cookie", "proxy-authorization"];

/** `text` as a URL (resolved against `base`), or undefined when it is none. */
function safeUrl(text: string, base?: URL): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

/** A request this transport sends as fetch would: a string or bytes body (or none), redirects followed, no undici options. */
function sendsItself(init: RequestInit | undefined): boolean {
  if (init === undefined) return true;
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== "string" && !ArrayBuffer.isView(body)) return false;
  if (init.redirect !== undefined && init.redirect !== "follow") return false;
  return (init as { dispatcher?: unknown }).dispatcher === undefined;
}

function headersOf(init: RequestInit): Record<string, string> {
  const out: Record<string, string> = {};
  const given = init.headers;
  if (given instanceof Headers) given.forEach((value, name) => (out[name] = value));
  else if (Array.isArray(given)) for (const [name, value] of given) out[name.toLowerCase()] = String(value);
  else if (given) for (const [name, value] of Object.entries(given)) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

function send(url: URL, init: RequestInit, agents: Agents, hops: number): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(reasonOf(signal));
  const method = (init.method ?? "GET").toUpperCase();
  const headers: OutgoingHttpHeaders = headersOf(init);
  headers["accept-encoding"] ??= "gzip, deflate, br";
  const body = init.body as string | ArrayBufferView | null | undefined;
  const bytes = typeof body === "string" ? Buffer.from(body) : body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined;
  if (bytes !== undefined) headers["content-length"] = bytes.byteLength;
  return new Promise<Response>((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { method, headers, agent: agents[url.protocol as Protocol] });
    // A lent body (lent-bodies.ts) is free to reuse once written to the socket, or its request closed.
    const sent = sendingBody(body);
    request.once("finish", sent).once("close", sent);
    let reply: Readable | undefined;
    // An abort before the reply rejects with the signal's reason; after it, ends the body with it.
    const onAbort = () => (reply ? reply.destroy(reasonOf(signal)) : request.destroy(reasonOf(signal)));
    signal?.addEventListener("abort", onAbort, { once: true });
    const unlisten = () => signal?.removeEventListener("abort", onAbort);
    request.on("error", (error) => {
      if (reply) return; // the body errors itself, and its reader says what broke
      unlisten();
      reject(signal?.aborted ? reasonOf(signal) : new TypeError("fetch failed", { cause: error }));
    });
    request.on("response", (message) => {
      const status = message.statusCode ?? 0;
      const location = message.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        reply = message;
        unlisten();
        message.resume(); // read and dropped: the socket goes back to the pool
        const hop = redirect(url, location, status, method, init, hops);
        if (hop instanceof Error) reject(new TypeError("fetch failed", { cause: hop }));
        else resolve(send(hop.url, hop.init, agents, hops + 1).then(markRedirected));
        return;
      }
      if (NULL_BODY.has(status) || method === "HEAD") {
        unlisten();
        message.resume();
      } else {
        reply = decoded(message);
        reply.once("close", unlisten);
      }
      resolve(new NodeResponse(url.href, status, message.statusMessage ?? "", message.rawHeaders, reply, signal) as unknown as Response);
    });
    request.end(bytes);
  });
}

/** The next hop of a redirect, as fetch makes it, or why there is none. */
function redirect(from: URL, location: string, status: number, method: string, init: RequestInit, hops: number): { url: URL; init: RequestInit } | Error {
  if (hops >= MAX_REDIRECTS) return new Error("redirect count exceeded");
  const next = safeUrl(location, from);
  if (next === undefined || !PROTOCOLS.has(next.protocol)) return new Error(`cannot follow a redirect to ${location}`);
  const toGet = status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST";
  const headers = headersOf(init);
  if (next.origin !== from.origin) for (const name of CREDENTIALS) delete headers[name];
  if (toGet) for (const name of BODY_HEADERS) delete headers[name];
  return { url: next, init: { ...init, headers, method: toGet ? "GET" : method, body: toGet ? null : init.body } };
}

function markRedirected(response: Response): Response {
  (response as unknown as NodeResponse).redirected = true;
  return response;
}

/** The reply's body as sent (gzip, deflate and br decoded; any other coding left as it is, as fetch does). */
function decoded(message: IncomingMessage): Readable {
  const coding = String(message.headers["content-encoding"] ?? "").trim().toLowerCase();
  const decoder = coding === "gzip" || coding === "x-gzip" ? createGunzip() : coding === "deflate" ? createInflate() : coding === "br" ? createBrotliDecompress() : undefined;
  if (decoder === undefined) return message;
  // pipeline: an error of either ends the other with it (pipe would leave the decoder waiting).
  pipeline(message, decoder, () => undefined);
  return decoder;
}
