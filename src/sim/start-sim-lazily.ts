import type { SimOptions } from "./options.js";
import type { SimServer } from "./server.js";

/**
 * `startSim`, for the package entry: the simulator's modules (its HTTP server, answer keys, token counts) are
 * loaded on the first call, not when `streameval` is imported. A module loaded is live heap for the whole
 * process, and V8 sizes the old generation by the live heap (docs/benchmarks.md).
 */
export async function startSim(options: SimOptions = {}): Promise<SimServer> {
  const { startSim: start } = await import("./server.js");
  return start(options);
}
