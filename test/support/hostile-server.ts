import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-compatible server on loopback that misbehaves on purpose, for tests and benchmarks of
 * what a client must survive: endless or huge replies, lying usage, absurd Retry-After, keys echoed
 * in error bodies. Each request is answered by `handler`, given the parsed JSON body and the
 * request's number (1-based).
 */
export interface HostileServer {
  readonly url: string;
  /** Requests received so far. */
  requests(): number;
  close(): Promise<void>;
}

export type HostileHandler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, n: number) => void;

export async function startHostile(handler: HostileHandler, host = "127.0.0.1"): Promise<HostileServer> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      n++;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString() || "{}") as Record<string, unknown>;
      } catch {
        // not JSON: the handler sees an empty body
      }
      handler(req, res, body, n);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/v1`,
    requests: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One SSE chat-completion chunk. */
export function sseChunk(content: string | null, extra: Record<string, unknown> = {}): string {
  const choices = content === null ? [] : [{ index: 0, delta: { content }, finish_reason: null }];
  return `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 0, model: "m", choices, ...extra })}\n\n`;
}

/**
 * Streams `chunk`-sized content events for ever (no finish_reason, no [DONE]), as fast as the
 * client reads them; stops when the client goes away.
 */
export function endlessStream(res: ServerResponse, chunkChars = 64 * 1024): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const event = sseChunk("A".repeat(chunkChars));
  const pump = (): void => {
    while (!res.destroyed && res.write(event));
    if (!res.destroyed) res.once("drain", pump);
  };
  res.on("close", () => res.destroy());
  pump();
}

/** A whole, well-formed streamed reply: the content, a finish_reason, the usage given (if any), [DONE]. */
export function streamReply(res: ServerResponse, content: string, usage?: unknown): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(sseChunk(content));
  res.write(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
  if (usage !== undefined) res.write(sseChunk(null, { usage }));
  res.end("data: [DONE]\n\n");
}

/** A JSON reply with a status. */
export function jsonReply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
