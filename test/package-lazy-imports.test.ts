import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// Packages an evaluation with a function model never needs: Prometheus, LevelDB, the bundled price table, image-size,
// opossum. The package entry loads them when they are used (createRunMetrics, CheckpointStore.open, resolvePrices, the
// first image measured, the first endpoint's breaker), not when imported.
const LAZY = ["prom-client", "level", "classic-level", "@pydantic/genai-prices", "image-size", "opossum"];

/**
 * Runs, in a fresh node process, `import` of the package entry (src/index.ts, which dist/index.js is compiled from
 * one to one) and a 3-line gsm8k evaluation with a function model, then `after`; returns every module URL the ES
 * module loader resolved (a resolve hook, written to `log`) and every CommonJS file loaded (require's cache).
 */
function loadedBy(after: string, log: string): { ok: number; cjs: string[] } {
  const entry = new URL("../src/index.ts", import.meta.url).href;
  const hooks = `import { appendFileSync } from "node:fs";
    export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.LAZY_LOG, r.url + "\\n"); return r; }`;
  const code = `
    import { createRequire, register } from "node:module";
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
    const lib = await import(${JSON.stringify(entry)});
    const docs = [1, 2, 3].map((i) => ({ id: "s" + i, question: i + " + 1?", answer: "#### " + (i + 1) }));
    const model = lib.functionModel("fn", () => ({ text: "#### 2" }));
    const summary = await lib.runEvaluation({ input: lib.docsToLines(docs), tasks: [await lib.loadTask("gsm8k")], models: [{ client: model }] });
    ${after}
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    process.stdout.write(JSON.stringify({ ok: summary.models.fn.samples.ok, cjs }));`;
  return JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, LAZY_LOG: log } })) as { ok: number; cjs: string[] };
}

const of = (files: string[], pkg: string) => files.filter((f) => f.includes(`/node_modules/${pkg}/`));

describe("the package entry loads what a function-model evaluation does not need only when it is used", () => {
  it("importing it and evaluating with a function model loads no Prometheus, LevelDB or price table; making run metrics loads prom-client", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-lazy-"));
    try {
      const plain = loadedBy("", join(dir, "resolved.txt"));
      const urls = (await readFile(join(dir, "resolved.txt"), "utf8")).split("\n");
      expect(plain.ok).toBe(3);
      // The hook sees the packages the entry does load (so an empty list below means something).
      expect(of(urls, "rxjs").length).toBeGreaterThan(0);
      for (const pkg of LAZY) expect({ pkg, loaded: [...of(urls, pkg), ...of(plain.cjs, pkg)] }).toEqual({ pkg, loaded: [] });
      // Nor the simulator: `startSim` loads it on its first call.
      expect(urls.filter((u) => u.includes("/src/sim/") && !u.endsWith("/start-sim-lazily.ts"))).toEqual([]);

      // The same run, then run metrics made: prom-client is loaded on that first use.
      const metrics = loadedBy("lib.createRunMetrics();", join(dir, "resolved-metrics.txt"));
      expect(of(metrics.cjs, "prom-client").length).toBeGreaterThan(0);

      // Under tsx (a require hook that compiles ES modules to CommonJS) too, an SDK client made is an instance of the
      // caller's class: one copy of the SDK, its ES module build, none of its CommonJS files.
      const sdk = loadedBy(
        `const { default: OpenAI } = await import("openai");
        if (!(lib.createSdkClient({ apiKey: "k" }) instanceof OpenAI)) throw new Error("a second copy of the SDK's classes");`,
        join(dir, "resolved-sdk.txt"),
      );
      expect(of(sdk.cjs, "openai")).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // new Intl.Collator maps ICU's collation data into the process: 2.7 MB of RSS (`node -e` with one, RssFile in
  // /proc/self/status). The summary's Python aggregations make theirs on first use, not on import.
  it("importing it and evaluating with a function model makes no Intl collator", () => {
    const entry = new URL("../src/index.ts", import.meta.url).href;
    const code = `
      const Collator = Intl.Collator;
      let made = 0;
      Intl.Collator = function (...args) { made++; return new Collator(...args); };
      const lib = await import(${JSON.stringify(entry)});
      const docs = [1, 2, 3].map((i) => ({ id: "s" + i, question: i + " + 1?", answer: "#### " + (i + 1) }));
      const model = lib.functionModel("fn", () => ({ text: "#### 2" }));
      const summary = await lib.runEvaluation({ input: lib.docsToLines(docs), tasks: [await lib.loadTask("gsm8k")], models: [{ client: model }] });
      process.stdout.write(JSON.stringify({ ok: summary.models.fn.samples.ok, made }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8" })) as unknown;
    expect(out).toEqual({ ok: 3, made: 0 });
  });

  // The openai SDK is loaded on first use through require of its ES module build, which in plain Node is the module
  // `import "openai"` gives (src/errors/openai-sdk.ts); tsx, which runs the other tests, hooks require, so there the
  // SDK is imported up front. This one runs plain node on src compiled file by file (as tsc makes dist/), in a folder
  // beside src/ so that the bundled tasks are found as from dist/.
  it("in plain Node, importing it and evaluating with a function model loads no openai SDK; an SDK client then loads the caller's copy", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const out = await mkdtemp(join(root, ".lazy-sdk-test-"));
    try {
      const src = join(root, "src");
      const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).map((f) => join(src, f));
      await build({ entryPoints: files, outdir: out, outbase: src, format: "esm", platform: "node", target: "node20", logLevel: "error" });
      const hooks = `import { appendFileSync } from "node:fs";
        export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.LAZY_LOG, r.url + "\\n"); return r; }`;
      const log = join(out, "resolved.txt");
      const code = `
        import { readFileSync } from "node:fs";
        import { register } from "node:module";
        register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
        const lib = await import(${JSON.stringify(pathToFileURL(join(out, "index.js")).href)});
        const docs = [1, 2, 3].map((i) => ({ id: "s" + i, question: i + " + 1?", answer: "#### " + (i + 1) }));
        const model = lib.functionModel("fn", () => ({ text: "#### 2" }));
        const summary = await lib.runEvaluation({ input: lib.docsToLines(docs), tasks: [await lib.loadTask("gsm8k")], models: [{ client: model }] });
        const before = readFileSync(process.env.LAZY_LOG, "utf8").split("\\n").filter((u) => u.includes("/node_modules/openai/"));
        const client = lib.createSdkClient({ apiKey: "k" });
        const { default: OpenAI, RateLimitError } = await import("openai");
        const { classifyApiError } = await import(${JSON.stringify(pathToFileURL(join(out, "errors", "classify-api-error.js")).href)});
        const quota = classifyApiError(new RateLimitError(429, { code: "insufficient_quota" }, "quota", new Headers())).type;
        process.stdout.write(JSON.stringify({ ok: summary.models.fn.samples.ok, before, instance: client instanceof OpenAI, quota }));`;
      const result = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, LAZY_LOG: log } })) as unknown;
      const after = (await readFile(log, "utf8")).split("\n").filter((u) => u.includes("/node_modules/openai/"));
      // The hook sees the SDK once it is loaded (so an empty list before means something), and only its ES module build.
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((u) => u.endsWith("/openai/index.js"))).toEqual([]);
      // A client made by createSdkClient is an instance of the caller's class; the caller's APIError is read as the SDK's.
      expect(result).toEqual({ ok: 3, before: [], instance: true, quota: "quota" });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
