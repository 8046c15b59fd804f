import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SimApiError, errorForStatus } from "./api-error.js";
import { buildAnswerer } from "./answers.js";
import { checkFault, type SimRequest } from "./faults.js";
import { validateSimOptions, type SimOptions } from "./options.js";
import { routeRequest } from "./routes.js";
import { sendError, sendJson, sendOutput, type WriteFault } from "./transport.js";

/** Counters since the sim started. Plain numbers: reading them costs nothing and they never grow. */
export interface SimStats {
  /** Requests received (the `n` of the fault hook counts the same way). */
  readonly requests: number;
  /** Requests whose response has not finished (hung ones included). */
  readonly inFlight: number;
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  /** Responses whose headers went out, by HTTP status (`{"200": 95, "429": 5}`), counted when they close. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Faults injected by the hook. */
  readonly faults: number;
  /** Tokens of the successful completions replies, as reported in usage. */
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** A running simulator: its base URL, counts of what it served, and how to close it. */
export interface SimServer {
  /** Base URL for an OpenAI client, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  readonly port: number;
  stats(): SimStats;
  /** Stops listening and destroys every open connection (hung requests included); resolves when closed. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Starts the OpenAI-compatible simulator on loopback. Options are validated first (ConfigError with an
 * exact message); an answer key file is read before listening. Routes:
 * - `POST /v1/chat/completions`, `POST /v1/completions`: see `chatCompletion` and `completion`.
 * - `GET /v1/models`, `GET /v1/models/{id}`: the `models` option's names (`["sim"]` when not given).
 * Anything else: 404 `Invalid URL (METHOD /path)`. Errors use OpenAI's shape `{"error": {...}}`.
 *
 * Per request, in order: the fault hook; `Authorization: Bearer <apiKey>` when `apiKey` is set (else 401
 * `invalid_api_key`); the route; the JSON body (400 when it does not parse); the model (404
 * `model_not_found` when `models` does not list it); the reply.
 *
 * Answers: a Map key (or answer-key file line) matches when it equals the request's sample id
 * (`metadata.sample_id` or the `x-sample-id` header), the last user message or the whole prompt, or
 * when a key of 32 characters or more (a question text) is contained in the prompt.
 */
export async function startSim(options: SimOptions = {}): Promise<SimServer> {
  const o = validateSimOptions(options);
  const answer = await buildAnswerer(o);
  const timing = { ttftMs: o.ttftMs, itlMs: o.itlMs };
  const stats = { requests: 0, inFlight: 0, maxInFlight: 0, byStatus: {} as Record<string, number>, faults: 0, promptTokens: 0, completionTokens: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer | undefined): void => {
    const n = ++stats.requests;
    const requestId = `req_sim${n}`;
    const request: SimRequest = { method: req.method ?? "GET", path: (req.url ?? "/").split("?", 1)[0]!, headers: req.headers, body: parseJson(raw) };
    let writeFault: WriteFault;
    if (o.faults) {
      let f: unknown;
      try {
        f = o.faults(request, n);
      } catch (e) {
        return sendError(res, new SimApiError(500, `The fault hook threw: ${(e as Error).message}`, "server_error"), requestId);
      }
      if (f !== undefined) {
        stats.faults++;
        const c = checkFault(f);
        if (c.kind === "invalid") return sendError(res, new SimApiError(500, c.reason, "server_error"), requestId);
        if (c.kind === "hang") return;
        if (c.kind === "status") {
          const text = c.body === undefined ? errorForStatus(c.status).toBody() : typeof c.body === "string" ? c.body : JSON.stringify(c.body);
          return sendJson(res, c.status, text, { ...c.headers, "x-request-id": requestId }, 0);
        }
        writeFault = c;
      }
    }
    try {
      if (o.apiKey !== undefined && req.headers.authorization !== `Bearer ${o.apiKey}`) {
        const message = req.headers.authorization ? "Incorrect API key provided." : "You didn't provide an API key.";
        throw new SimApiError(401, message, "invalid_request_error", null, "invalid_api_key");
      }
      const ctx = { answer, accuracy: o.accuracy, seed: o.seed, replyFormat: o.replyFormat, reasoning: o.reasoning, judgeStyle: o.judgeStyle, judgePositionBias: o.judgePositionBias, usage: o.usage, models: o.models, requestNumber: n };
      const out = routeRequest(request, raw !== undefined && raw.length > 0, ctx);
      if (out.kind === "plain") return sendJson(res, 200, out.body, { "x-request-id": requestId }, 0, writeFault);
      stats.promptTokens += out.usage.prompt;
      stats.completionTokens += out.usage.completion;
      sendOutput(res, out, timing, writeFault, requestId);
    } catch (e) {
      const error = e instanceof SimApiError ? e : new SimApiError(500, `The simulator failed: ${(e as Error).message}`, "server_error");
      sendError(res, error, requestId);
    }
  };

  const server = createServer((req, res) => {
    stats.inFlight++;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    res.once("close", () => {
      stats.inFlight--;
      if (res.headersSent) stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
    });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) {
        return sendError(res, new SimApiError(413, `Request body too large (over ${MAX_BODY_BYTES} bytes).`), `req_sim${++stats.requests}`);
      }
      handle(req, res, chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });

  // Keep idle connections longer than clients do (undici: 4 s), so a client never reuses a socket
  // the server is closing ("other side closed") — the race behind spurious connection errors.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = o.host.includes(":") ? `[${o.host}]` : o.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${port}/v1`,
    port,
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      })),
  };
}

function parseJson(raw: Buffer | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
}
