#!/usr/bin/env node
// The compiled CLI, bundled (dist/bundle/: see scripts/bundle-cli.mjs). dist/ is built by `npm ci` (the `prepare`
// script) in a clone, and shipped in the package.
try {
  await import("../dist/bundle/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bundle/cli.js")) {
    process.stderr.write("streameval: dist/ is missing; run `npm run build` (or `npm ci`) in the clone first\n");
    process.exit(1);
  }
  throw error;
}
