/**
 * The baseline: a bare loop of the openai SDK, N streamed chat requests at concurrency C against
 * URL, nothing else. Usage: node .bench/bare-sdk.mjs URL N C (the bench compiles it: bench/lib.ts `compiled`). Prints its wall seconds.
 */
import OpenAI from "openai";

const [url, nText, cText] = process.argv.slice(2);
const n = Number(nText);
const c = Number(cText);
const sdk = new OpenAI({ baseURL: url, apiKey: "EMPTY", maxRetries: 0 });
const t0 = performance.now();
let next = 0;
async function worker(): Promise<void> {
  while (next < n) {
    const i = next++;
    const stream = await sdk.chat.completions.create({
      model: "sim",
      messages: [{ role: "user", content: `Question: what is ${i}?\nAnswer:` }],
      max_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      /* drain */
    }
  }
}
await Promise.all(Array.from({ length: c }, worker));
console.log(((performance.now() - t0) / 1000).toFixed(4));
