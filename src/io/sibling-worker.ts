import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts the module `name` beside `moduleUrl` (the caller's `import.meta.url`) on a worker thread: its
 * compiled `.js` from dist/, or, run from the TypeScript sources (bin/streameval.js under tsx, the
 * tests), its `.ts` with tsx's loader registered first, as the bin does.
 */
export function startSiblingWorker(moduleUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const here = new URL(moduleUrl);
  const ts = here.pathname.endsWith(".ts");
  const file = new URL(`./${name}.${ts ? "ts" : "js"}`, here);
  if (!ts) return new Worker(file, options);
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
