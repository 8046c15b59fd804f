import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/models/http-fetch.js";
import { lendBody, sendingBody } from "../../src/models/lent-bodies.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import type { ChatRequest } from "../../src/work/model.js";

// Issue 15: a request body with media is a buffer of a megabyte or more. Each one allocated anew and left
// to the collector piled up ~30 MB at -c 8; a body's buffer is now the next body's once it has been sent.

let dir: string;
let server: Server;
let url: string;
/** The digest of the image bytes each request carried, decoded from its body; with `hold`, replies wait until that many requests came. */
const received: string[] = [];
let hold = 0;
const waiting: (() => void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-body-reuse-"));
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { stream?: boolean; messages: { content: { type: string; image_url?: { url: string } }[] }[] };
      const image = body.messages[0]!.content.find((p) => p.type === "image_url")!.image_url!.url;
      received.push(digest(Buffer.from(image.slice(image.indexOf(",") + 1), "base64")));
      const answer = () => {
        if (body.stream) {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.end(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: "ok" }, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ id: "c", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] }));
        }
      };
      if (hold > 0) {
        waiting.push(answer);
        if (waiting.length === hold) for (const w of waiting.splice(0)) w();
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const digest = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

/** A file of random bytes (not a multiple of 3 long, over several base64 chunks), and a request sending it as an image. */
async function imageFile(name: string, size: number): Promise<{ sha256: string; request: ChatRequest }> {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  const request: ChatRequest = { model: "m", max_tokens: 4, messages: [{ role: "user", content: [{ type: "text", text: "What is it?" }, { type: "media", media: { type: "image", source: path, media_type: "image/png" } }] }] };
  return { sha256: digest(bytes), request };
}

/** An SDK over `base`, recording the body of every request it sends. */
function recordingSdk(base: typeof fetch): { sdk: OpenAI; bodies: Uint8Array[] } {
  const bodies: Uint8Array[] = [];
  const sdk = new OpenAI({
    apiKey: "k",
    baseURL: url,
    maxRetries: 0,
    fetch: (input, init) => {
      bodies.push(init?.body as Uint8Array);
      return base(input, init);
    },
  });
  return { sdk, bodies };
}

const signal = () => new AbortController().signal;

describe("request bodies with media", () => {
  for (const stream of [true, false]) {
    it(`${stream ? "streamed" : "not streamed"}: the next request's body is written into the buffer the last one was sent from, and each carries its own image, byte for byte`, async () => {
      received.length = 0;
      const { sdk, bodies } = recordingSdk(httpFetch());
      const client = openAIChat({ model: "m", apiKey: "k", sdk, stream });
      const a = await imageFile(`a-${stream}.bin`, 300_001);
      const b = await imageFile(`b-${stream}.bin`, 299_999);
      expect((await client.chat(a.request, { signal: signal() })).text).toBe("ok");
      expect((await client.chat(b.request, { signal: signal() })).text).toBe("ok");
      expect(received).toEqual([a.sha256, b.sha256]);
      expect(bodies).toHaveLength(2);
      // Compared as a boolean: a failing toBe would print both megabyte buffers.
      expect(bodies[1]!.buffer === bodies[0]!.buffer, "the same buffer").toBe(true);
    });
  }

  it("two requests in flight at once have buffers of their own", async () => {
    received.length = 0;
    const { sdk, bodies } = recordingSdk(httpFetch());
    const client = openAIChat({ model: "m", apiKey: "k", sdk });
    const a = await imageFile("c.bin", 200_000);
    const b = await imageFile("d.bin", 200_002);
    hold = 2; // neither is answered before the server has both
    try {
      await Promise.all([client.chat(a.request, { signal: signal() }), client.chat(b.request, { signal: signal() })]);
    } finally {
      hold = 0;
    }
    expect(bodies[1]!.buffer === bodies[0]!.buffer, "the same buffer").toBe(false);
    expect(new Set(received)).toEqual(new Set([a.sha256, b.sha256]));
  });

  it("a body another fetch sent is never reused: that fetch may still hold it", async () => {
    const { sdk, bodies } = recordingSdk((input, init) => globalThis.fetch(input, init));
    const client = openAIChat({ model: "m", apiKey: "k", sdk });
    const a = await imageFile("e.bin", 100_000);
    await client.chat(a.request, { signal: signal() });
    await client.chat(a.request, { signal: signal() });
    expect(bodies[1]!.buffer === bodies[0]!.buffer, "the same buffer").toBe(false);
  });
});

describe("lendBody", () => {
  it("gives a body back only when its owner has settled and every send of it has ended", () => {
    const given: string[] = [];
    const body = {};
    const settled = lendBody(body, () => given.push("back"));
    const first = sendingBody(body);
    const second = sendingBody(body); // a redirect's hop sends it again
    first();
    settled();
    expect(given).toEqual([]);
    second();
    second();
    expect(given).toEqual(["back"]);
    settled();
    expect(given).toEqual(["back"]);
  });

  it("an owner settling before the send has written it waits for the send", () => {
    const given: string[] = [];
    const body = {};
    const settled = lendBody(body, () => given.push("back"));
    const sent = sendingBody(body);
    settled();
    expect(given).toEqual([]);
    sent();
    expect(given).toEqual(["back"]);
  });

  it("a body no send of httpFetch took is not given back", () => {
    const given: string[] = [];
    const settled = lendBody({}, () => given.push("back"));
    settled();
    expect(given).toEqual([]);
  });
});
