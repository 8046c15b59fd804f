import { defineConfig } from "vitest/config";

// VITEST_JSON=path adds a JSON report (.ci/run turns it into the plain "N passed, N failed" line).
const jsonOut = process.env.VITEST_JSON;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Many tests drive real child processes, Redis and Chromium: a few seconds each on a quiet machine, several
    // times that when CI shares two cores with other work. The limit only bounds a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: jsonOut ? ["default", "json"] : ["default"],
    ...(jsonOut ? { outputFile: { json: jsonOut } } : {}),
  },
});
