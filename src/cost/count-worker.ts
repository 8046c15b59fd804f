import type { Worker } from "node:worker_threads";
import { startSiblingWorker } from "../io/sibling-worker.js";

/**
 * Counting large texts on a worker thread, so that a 4 MB prompt (seconds of tokenizing) holds up
 * neither other samples nor a Ctrl-C. One worker per process, started on first use; it keeps the
 * process alive only while a count is awaited. Requests are answered in order.
 */
let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (counts: number[]) => void; reject: (e: Error) => void }>();

function start(): Worker {
  const w = startSiblingWorker(import.meta.url, "count-worker-thread");
  w.on("message", (msg: { id: number; counts?: number[]; error?: string }) => {
    const p = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (waiting.size === 0) w.unref();
    if (msg.counts) p?.resolve(msg.counts);
    else p?.reject(new Error(`token counting failed: ${msg.error ?? "unknown error"}`));
  });
  w.on("error", (e) => fail(e));
  w.on("exit", () => fail(new Error("the token-counting worker exited")));
  // After the listeners: adding a 'message' listener refs a worker again.
  w.unref();
  return w;
}

function fail(e: Error): void {
  worker = undefined;
  for (const p of waiting.values()) p.reject(e);
  waiting.clear();
}

/** Token counts of `texts` with `encoding`, counted on the worker thread. */
export function countOffThread(encoding: string, texts: readonly string[]): Promise<number[]> {
  worker ??= start();
  const id = nextId++;
  const w = worker;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.ref(); // an answer is awaited: the process waits for it
    w.postMessage({ id, encoding, texts });
  });
}
