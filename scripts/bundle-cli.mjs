/**
 * Bundles the compiled CLI (dist/cli.js and what it imports, dependencies included) into a few files in
 * dist/bundle/, which bin/streameval.js runs. Node 20 pays about a millisecond for each ES module it loads; the
 * CLI's run command loads ~900 of them unbundled, and start-up went mostly to that. The library (`import … from
 * "streameval"`) stays the unbundled tsc output beside it.
 *
 * Each command stays its own chunk (the CLI imports it inside its action), so `--help` loads commander alone.
 * Code that finds files beside itself (`new URL("./x", import.meta.url)`: bundled tasks, Python scripts, a worker
 * thread, package.json) keeps finding them: in each bundled dist/ file, `import.meta.url` is rewritten to that
 * file's own URL in dist/, which is shipped too.
 */
import { readFile, rm } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = resolve(root, "dist");
const outdir = resolve(dist, "bundle");

// Left to node_modules: a native addon (classic-level) and `level`, its CommonJS wrapper (the store imports it
// dynamically, and a bundled CommonJS module imported so has no named exports: `Level` was undefined); the report's DOM and browser (loaded by `report` only); the
// tokenizer's encodings (4.6 MB, loaded only to count tokens, where parsing the ranks costs far more than the files).
// sharp too: a native addon, loaded only to downscale images (--max-image-side).
const external = ["classic-level", "level", "jsdom", "playwright-core", "gpt-tokenizer", "sharp"];

/** `import.meta.url` in a dist/ file → that file's URL, computed from the chunk's own URL at run time. */
const ownUrl = {
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      if (args.path.startsWith(outdir)) return undefined;
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      // Chunks sit directly in dist/bundle/, so the way from a chunk to the file is the same for every chunk.
      const from = relative(outdir, args.path).split("\\").join("/");
      return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(from)}, import.meta.url).href`), loader: "js" };
    });
  },
};

/**
 * RxJS as ES modules (its `es2015` build, the one its package names for bundlers), not the CommonJS build Node's
 * condition picks: RxJS declares itself free of side effects, so the bundle keeps only the operators the CLI
 * uses instead of evaluating all of RxJS (its CommonJS index requires every module) at start-up.
 */
const rxjsAsModules = {
  name: "rxjs-as-modules",
  setup(b) {
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: resolve(root, "node_modules/rxjs/dist/esm/index.js") }));
  },
};

/**
 * The openai SDK bundled and imported statically in the CLI: the library loads it on first use from node_modules
 * (src/errors/openai-sdk.ts), which in the bundle would load a second, unbundled copy beside the bundled one
 * (slower to start, and its classes would not be the bundle's). The CLI needs the SDK for any model anyway.
 */
const openaiSdkBundled = {
  name: "openai-sdk-bundled",
  setup(b) {
    b.onLoad({ filter: /\/dist\/errors\/openai-sdk\.js$/ }, () => ({
      contents: 'import * as sdk from "openai"; export function openaiSdk() { return sdk; }',
      loader: "js",
      resolveDir: dist,
    }));
  },
};

// Chunk names carry a hash of their content: without this, old chunks would pile up (and be packed).
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [resolve(dist, "cli.js")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  plugins: [openaiSdkBundled, ownUrl, rxjsAsModules],
  // CommonJS dependencies bundled into ES modules call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __streamevalCreateRequire } from "node:module"; const require = __streamevalCreateRequire(import.meta.url);' },
  legalComments: "eof",
  logLevel: "warning",
});
