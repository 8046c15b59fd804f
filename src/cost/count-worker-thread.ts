import { parentPort } from "node:worker_threads";
import { chunkedCount } from "./chunked-count.js";

/**
 * The token-counting worker (count-worker.ts starts it): counts texts with gpt-tokenizer, in
 * linear time (chunkedCount), away from the main thread's event loop.
 * Message in: {id, encoding, texts}; out: {id, counts} or {id, error}.
 */
type Count = (text: string) => number;
const loaded = new Map<string, Promise<Count>>();
const plain = { disallowedSpecial: new Set<string>() };

function load(encoding: string): Promise<Count> {
  let p = loaded.get(encoding);
  if (!p) {
    p = (encoding === "cl100k_base" ? import("gpt-tokenizer/encoding/cl100k_base") : import("gpt-tokenizer/encoding/o200k_base")).then(
      (mod) => (text: string) => mod.countTokens(text, plain),
    );
    loaded.set(encoding, p);
  }
  return p;
}

parentPort?.on("message", (msg: { id: number; encoding: string; texts: string[] }) => {
  load(msg.encoding).then(
    (count) => parentPort?.postMessage({ id: msg.id, counts: msg.texts.map((t) => chunkedCount(count, t)) }),
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: String(e) }),
  );
});
