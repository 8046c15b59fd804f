import { createRequire } from "node:module";
import type * as Sdk from "openai";
import { probe } from "./require-probe.js";

const require = createRequire(import.meta.url);
// Loaded now only where require would give a second copy of the SDK (openaiSdk).
let sdk: typeof Sdk | undefined = requireSharesModules() ? undefined : await import("openai");

/**
 * The openai SDK, loaded the first time something needs it (an SDK client made, an error classified),
 * not when `streameval` is imported: a run with function models never loads it. Its 150 modules are
 * 1.5 MB of live heap, and V8 sizes the old generation by the live heap (docs/benchmarks.md).
 *
 * Synchronous, because `createSdkClient` and `classifyApiError` are: it requires the SDK's ES module build
 * by path (`openai/index.mjs`), which in plain Node is the very module instance `import … from "openai"`
 * gives (Node evaluates an ES module once, and require of it returns that one), so the SDK's classes are the
 * caller's and `instanceof APIError` holds for the errors of a client the caller made. (`require("openai")`
 * would pick the package's CommonJS build: a second copy of every class.) Under a require hook that compiles
 * ES modules to CommonJS (tsx, ts-node), require would also give a second copy; there, found by the probe,
 * the SDK is imported when this module loads, as a static import would.
 */
export function openaiSdk(): typeof Sdk {
  return (sdk ??= require("openai/index.mjs") as typeof Sdk);
}

/** Whether require of an ES module gives the instance import gave (require-probe.ts). */
function requireSharesModules(): boolean {
  try {
    return (require("./require-probe.js") as { probe?: unknown }).probe === probe;
  } catch {
    return false;
  }
}
