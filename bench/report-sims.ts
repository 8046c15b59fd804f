/**
 * Two simulated models for trying `streameval report` and `compare` (docs/report-and-compare.md):
 * `sim-a` answers 62% right, fast, and fails 4% of requests (429s and 500s, retried); `sim-b` answers
 * 72% right, slower. Writes a models YAML pointing each model at its simulator, then waits (Ctrl-C).
 *
 *   npx tsx bench/report-sims.ts ANSWER_KEY.jsonl ANSWER_FIELD MODELS.yaml
 */
import { writeFile } from "node:fs/promises";
import { startSim } from "../src/sim/index.js";

const [answerKeyFile, answerField = "target", modelsFile = "report-models.yaml"] = process.argv.slice(2);
let n = 0;
const a = await startSim({
  port: 0,
  answerKeyFile,
  answerField,
  accuracy: 0.62,
  seed: 1,
  ttftMs: 60,
  itlMs: 3,
  // Every 25th request fails once: alternately rate-limited and a server error; the client retries it.
  faults: () => (++n % 25 === 0 ? { status: n % 50 === 0 ? 500 : 429 } : undefined),
});
const b = await startSim({ port: 0, answerKeyFile, answerField, accuracy: 0.72, seed: 2, ttftMs: 140, itlMs: 7 });
await writeFile(
  modelsFile,
  `models:\n  sim-a:\n    base_url: ${a.url}\n    price: { input: 0.15, output: 0.6 }\n  sim-b:\n    base_url: ${b.url}\n    price: { input: 2.5, output: 10 }\n  judge:\n    base_url: ${a.url}\n    price: { input: 0.15, output: 0.6 }\n`,
);
process.stderr.write(`sim-a at ${a.url}, sim-b at ${b.url}; models file ${modelsFile} (Ctrl-C to stop)\n`);
const stop = async () => {
  await Promise.all([a.close(), b.close()]);
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
