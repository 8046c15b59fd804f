import { defineConfig } from "vitest/config";

// VITEST_JSON=path adds a JSON report (.ci/run turns it into the plain "N passed, N failed" line).
const jsonOut = process.env.VITEST_JSON;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: jsonOut ? ["default", "json"] : ["default"],
    ...(jsonOut ? { outputFile: { json: jsonOut } } : {}),
  },
});
