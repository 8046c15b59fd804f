import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { READS_OWN_BODY } from "../../src/models/capped-fetch.js";
import { httpFetch } from "../../src/models/http-fetch.js";
import { nodeBodyOf } from "../../src/models/node-response.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { sseJsonBatches } from "../../src/models/sse-json.js";
import { startSim, type SimServer } from "../../src/sim/index.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly socket: unknown;
}

/** A loopback server answering with `handle`, recording every request it saw. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; seen: Seen[]; connections: () => number; server: Server }> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, socket: req.socket });
      handle(req, res, body);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, connections: () => connections, server };
}

let servers: Server[] = [];
let sims: SimServer[] = [];
afterEach(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(sims.map((s) => s.close()));
  servers = [];
  sims = [];
});

describe("httpFetch: fetch for the SDK over node:http", () => {
  it("sends the method, headers and body, and gives the status, headers, text and JSON", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(201, "Made", { "content-type": "application/json", "x-request-id": "req_1" });
      res.end(JSON.stringify({ ok: "é" }));
    });
    const fetch = httpFetch();
    const headers = new Headers({ "Content-Type": "application/json", Authorization: "Bearer k" });
    const res = await fetch(`${s.url}/v1/chat`, { method: "POST", headers, body: JSON.stringify({ q: "ü" }) });
    expect([res.status, res.statusText, res.ok]).toEqual([201, "Made", true]);
    expect(res.headers.get("x-request-id")).toBe("req_1");
    expect(await res.json()).toEqual({ ok: "é" });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    const [req] = s.seen;
    expect([req?.method, req?.url, req?.body]).toEqual(["POST", "/v1/chat", '{"q":"ü"}']);
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toBe("Bearer k");
    expect(req?.headers["content-length"]).toBe(String(Buffer.byteLength('{"q":"ü"}')));
  });

  it("keeps the connection for the next request once a body is read", async () => {
    const s = await serve((_req, res) => res.end("x"));
    const fetch = httpFetch();
    for (let i = 0; i < 3; i++) expect(await (await fetch(`${s.url}/`, { method: "POST", body: "b" })).text()).toBe("x");
    expect(s.connections()).toBe(1);
  });

  it("a reply that pauses longer than a pooled socket may idle is not cut", async () => {
    const s = await serve((_req, res) => {
      res.write("before ");
      setTimeout(() => res.end("after"), 150);
    });
    expect(await (await httpFetch({ idleSocketMs: 20 })(`${s.url}/`)).text()).toBe("before after");
  });

  it("decodes a gzip reply", async () => {
    const s = await serve((req, res) => {
      expect(req.headers["accept-encoding"]).toContain("gzip");
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(gzipSync("unzipped"));
    });
    expect(await (await httpFetch()(`${s.url}/`)).text()).toBe("unzipped");
  });

  it("follows redirects as fetch does: 307 keeps the POST, 303 turns it into a GET, another origin gets no credentials", async () => {
    const other = await serve((_req, res) => res.end("there"));
    const s = await serve((req, res) => {
      if (req.url === "/307") res.writeHead(307, { location: "/here" }).end();
      else if (req.url === "/303") res.writeHead(303, { location: "/here" }).end();
      else if (req.url === "/away") res.writeHead(308, { location: `${other.url}/x` }).end();
      else res.end("here");
    });
    const fetch = httpFetch();
    const init = { method: "POST", body: "payload", headers: { authorization: "Bearer secret", "content-type": "text/plain" } };
    const kept = await fetch(`${s.url}/307`, init);
    expect([await kept.text(), kept.redirected]).toEqual(["here", true]);
    expect(s.seen[1]).toMatchObject({ method: "POST", url: "/here", body: "payload" });
    await (await fetch(`${s.url}/303`, init)).text();
    expect(s.seen[3]).toMatchObject({ method: "GET", url: "/here", body: "" });
    expect(s.seen[3]?.headers["content-type"]).toBeUndefined();
    expect(await (await fetch(`${s.url}/away`, init)).text()).toBe("there");
    expect(other.seen[0]?.headers.authorization).toBeUndefined();
    expect(other.seen[0]?.body).toBe("payload");
  });

  it("a redirect to a Location that is no URL rejects with fetch's TypeError, and the process goes on", async () => {
    const s = await serve((_req, res) => res.writeHead(302, { location: "http://[oops" }).end());
    const error = await httpFetch()(`${s.url}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(String(((error as TypeError).cause as Error).message)).toContain("http://[oops");
  });

  it("a refused connection rejects with fetch's TypeError, the network error as its cause", async () => {
    const s = await serve((_req, res) => res.end());
    const url = s.url;
    await new Promise((resolve) => s.server.close(resolve));
    servers = [];
    const error = await httpFetch()(`${url}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(((error as TypeError).cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("an abort rejects with the signal's reason before the reply, and ends its body with it after", async () => {
    let held: ServerResponse | undefined;
    const s = await serve((req, res) => {
      if (req.url === "/never") return; // no reply
      res.writeHead(200);
      res.write("part");
      held = res;
    });
    const fetch = httpFetch();
    const before = new AbortController();
    const pending = fetch(`${s.url}/never`, { signal: before.signal });
    setTimeout(() => before.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });

    const during = new AbortController();
    const res = await fetch(`${s.url}/slow`, { signal: during.signal });
    const text = res.text();
    during.abort();
    await expect(text).rejects.toMatchObject({ name: "AbortError" });
    held?.end();
  });

  it("a body cut short errors as fetch's does (TypeError, terminated), read whole or as events", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"n":1}\n\n');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const fetch = httpFetch();
    await expect((await fetch(`${s.url}/`)).text()).rejects.toMatchObject({ name: "TypeError", message: "terminated" });
    const events: unknown[] = [];
    const read = (async () => {
      for await (const batch of sseJsonBatches(await fetch(`${s.url}/`))) events.push(...batch);
    })();
    await expect(read).rejects.toBeInstanceOf(TypeError);
    expect(events).toEqual([{ n: 1 }]);
  });

  it("a 204 has no body; a form body goes to the fallback fetch", async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const res = await httpFetch()(`${s.url}/`, { method: "DELETE" });
    expect([res.status, res.body, await res.text()]).toEqual([204, null, ""]);
    const sent: unknown[] = [];
    const viaFallback = httpFetch({ fallback: (input, init) => (sent.push(init?.body), globalThis.fetch(input, init)) });
    const form = new FormData();
    form.set("file", "contents");
    expect((await viaFallback(`${s.url}/upload`, { method: "POST", body: form })).status).toBe(204);
    expect(sent).toEqual([form]);
    expect(s.seen.at(-1)?.body).toContain("contents");
  });

  it("a reader of its own gets the Node stream even after `body` was touched (the SDK logs it)", async () => {
    const s = await serve((_req, res) => res.end("raw"));
    const res = await httpFetch()(`${s.url}/`);
    expect(res.body).not.toBeNull();
    const node = nodeBodyOf(res);
    expect(node).toBeDefined();
    let text = "";
    for await (const chunk of node!) text += String(chunk);
    expect(text).toBe("raw");
    expect(nodeBodyOf(res)).toBeUndefined();
  });

  it("the SDK's streamed chat reply reaches its reader as the Node stream", async () => {
    const sim = await startSim({ latencyMs: 0 });
    sims.push(sim);
    const sdk = createSdkClient({ baseURL: sim.url, apiKey: "k" });
    const response = await sdk.chat.completions
      .create({ model: "sim", messages: [{ role: "user", content: "Question: 1+1?\nAnswer:" }], stream: true }, { fetchOptions: { [READS_OWN_BODY]: true } as Record<string, never> })
      .asResponse();
    expect(nodeBodyOf(response)).toBeDefined();
  });
});
