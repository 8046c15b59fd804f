import { createRequire } from "node:module";
import type * as PromClient from "prom-client";

let loaded: typeof PromClient | undefined;

/**
 * prom-client, loaded on first use rather than with the package: a program that imports streameval for
 * `evaluate` and never makes Prometheus metrics does not pay for it (about 2 MB of heap). prom-client is
 * CommonJS only, so `require` gives the very instance an `import` would (one registry, one set of classes).
 */
export function prom(): typeof PromClient {
  loaded ??= createRequire(import.meta.url)("prom-client") as typeof PromClient;
  return loaded;
}
