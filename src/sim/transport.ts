import type { ServerResponse } from "node:http";
import type { SimApiError } from "./api-error.js";
import type { SimOutput } from "./output.js";

/** When replies go out: the first step `ttftMs` after the request, step k at `ttftMs + k × itlMs`. */
export interface Timing {
  readonly ttftMs: number;
  readonly itlMs: number;
}

/** A fault that changes how an otherwise normal reply is written. */
export type WriteFault = { readonly kind: "drop"; readonly afterChunks: number } | { readonly kind: "malformed" } | undefined;

/** A stand-in for an event or a body that does not parse as JSON. */
const BROKEN_EVENT = 'data: {"id":"chatcmpl-sim","object":\n\n';

/**
 * Writes a handler's output. Without delays everything goes out in one write (the common, fast path).
 * A non-streamed reply waits as long as the streamed one would take in all. Timers are cleared when the
 * client goes away, so nothing is written to a closed socket.
 */
export function sendOutput(res: ServerResponse, out: SimOutput, timing: Timing, fault: WriteFault, requestId: string): void {
  if (out.kind === "json") {
    const wait = timing.ttftMs + timing.itlMs * Math.max(out.steps - 1, 0);
    return sendJson(res, 200, out.body, { "x-request-id": requestId }, wait, fault);
  }
  const events = fault?.kind === "malformed" ? out.events.map((e, i) => (i === Math.min(1, out.events.length - 1) ? BROKEN_EVENT : e)) : out.events;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": requestId });
  if (fault?.kind === "drop") {
    // An SSE comment when nothing is to be sent, so the headers go out before the cut.
    const sent = fault.afterChunks > 0 ? events.slice(0, fault.afterChunks).join("") : ": sim\n\n";
    return after(res, timing.ttftMs, () => res.write(sent, () => res.destroy()));
  }
  if (timing.ttftMs <= 0 && timing.itlMs <= 0) return void res.end(events.join(""));
  // Headers at once, as a real server sends them before the first token.
  res.flushHeaders();
  if (timing.itlMs <= 0) return after(res, timing.ttftMs, () => res.end(events.join("")));
  const starts = out.steps;
  // Steps are due at fixed times (ttft, ttft + itl, ttft + 2·itl …) from the request, not `itl` after
  // the previous write: a late timer on a busy machine then delays one step, not every later one.
  const t0 = performance.now();
  const due = (s: number) => Math.max(0, t0 + timing.ttftMs + s * timing.itlMs - performance.now());
  const step = (s: number) => {
    const end = s + 1 < starts.length ? starts[s + 1]! : events.length;
    const text = events.slice(starts[s], end).join("");
    if (end === events.length) res.end(text);
    else {
      res.write(text);
      after(res, due(s + 1), () => step(s + 1));
    }
  };
  after(res, timing.ttftMs, () => step(0));
}

/** Sends a JSON body (after `waitMs`), optionally cut short or malformed by a fault. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>>,
  waitMs: number,
  fault?: WriteFault,
): void {
  after(res, waitMs, () => {
    const bytes = Buffer.from(body);
    if (fault?.kind === "malformed") {
      const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
      res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": cut.length });
      return void res.end(cut);
    }
    res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": bytes.length });
    if (fault?.kind === "drop") return void res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
    res.end(bytes);
  });
}

/** Sends an OpenAI-shaped error at once. */
export function sendError(res: ServerResponse, error: SimApiError, requestId: string): void {
  sendJson(res, error.status, error.toBody(), { "x-request-id": requestId }, 0);
}

/** Runs `fn` after `ms` (now when 0), unless the response closes first. */
function after(res: ServerResponse, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  const timer = setTimeout(() => {
    res.off("close", cancel);
    if (!res.destroyed) fn();
  }, ms);
  const cancel = () => clearTimeout(timer);
  res.once("close", cancel);
}
