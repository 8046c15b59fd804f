/**
 * One transport in its own process (`node .bench/transport-child.mjs MODE URL N C`, compiled by bench/transport.ts):
 * N streamed chat requests at concurrency C through the openai SDK, each reply read to its end.
 * - `fetch`: the SDK as it comes (the global fetch), its own `Stream` parsing the events (the bare loop);
 * - `node-http`: the SDK over `httpFetch` (node:http), its own `Stream` parsing the events;
 * - `node-http-own`: the SDK over `httpFetch`, the reply read from its Node stream by `sseJsonBatches`, as streameval reads it.
 * Prints the events read (the bench compares the CPU seconds /usr/bin/time gives).
 */
import OpenAI from "openai";
import { READS_OWN_BODY } from "../src/models/capped-fetch.js";
import { httpFetch } from "../src/models/http-fetch.js";
import { sseJsonBatches } from "../src/models/sse-json.js";

const [mode, url, nText, cText] = process.argv.slice(2);
const n = Number(nText);
const c = Number(cText);
const sdk = new OpenAI({ baseURL: url, apiKey: "EMPTY", maxRetries: 0, ...(mode === "fetch" ? {} : { fetch: httpFetch() }) });
const params = (i: number) => ({ model: "sim", messages: [{ role: "user" as const, content: `Question: what is ${i}?\nAnswer:` }], max_tokens: 256, stream: true as const, stream_options: { include_usage: true } });
let next = 0;
let events = 0;
async function worker(): Promise<void> {
  while (next < n) {
    const i = next++;
    if (mode === "node-http-own") {
      const response = await sdk.chat.completions.create(params(i), { fetchOptions: { [READS_OWN_BODY]: true } as Record<string, never> }).asResponse();
      for await (const batch of sseJsonBatches(response)) events += batch.length;
    } else {
      for await (const _ of await sdk.chat.completions.create(params(i))) events++;
    }
  }
}
await Promise.all(Array.from({ length: c }, worker));
console.log(events);
