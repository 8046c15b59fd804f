import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { runCli } from "../support/cli.js";

export const mmluFixture = fileURLToPath(new URL("../fixtures/report/mmlu-60.jsonl", import.meta.url));
export const mtBenchFixture = fileURLToPath(new URL("../fixtures/report/mt_bench-6.jsonl", import.meta.url));
/** A question the first simulator always refuses (400): its sample ends as an error line. */
export const REFUSED = "Find the index of <p> in S_5";

export interface ReportRuns {
  readonly dir: string;
  readonly store: string;
  readonly sims: readonly SimServer[];
}

/**
 * Two simulated models (sim-a: 60% right, every 15th request rate-limited once, one question refused;
 * sim-b: 75% right) and two runs in a temp store made by the real CLI: `mmlu` (mmlu_generative on 60
 * MMLU lines of 10 subjects) and `mtb` (mt_bench on 6 questions, judged).
 */
export async function makeReportRuns(): Promise<ReportRuns> {
  const dir = await mkdtemp(join(tmpdir(), "streameval-report-"));
  let n = 0;
  const a = await startSim({
    port: 0,
    answerKeyFile: mmluFixture,
    answerField: "answer",
    accuracy: 0.6,
    seed: 1,
    ttftMs: 5,
    itlMs: 1,
    faults: (req) => (JSON.stringify(req.body ?? "").includes(REFUSED) ? { status: 400 } : ++n % 15 === 0 ? { status: 429, headers: { "retry-after-ms": "10" } } : undefined),
  });
  const b = await startSim({ port: 0, answerKeyFile: mmluFixture, answerField: "answer", accuracy: 0.75, seed: 2, ttftMs: 10, itlMs: 2 });
  const models = join(dir, "models.yaml");
  await writeFile(models, `models:\n  sim-a:\n    base_url: ${a.url}\n    price: { input: 0.15, output: 0.6 }\n  sim-b:\n    base_url: ${b.url}\n    price: { input: 2.5, output: 10 }\n  judge:\n    base_url: ${a.url}\n`);
  const store = join(dir, "store");
  const common = ["-m", "sim-a", "-m", "sim-b", "--models", models, "--store", store, "-c", "8", "--max-retries", "3", "-o", join(dir, "out.jsonl")];
  const mmlu = await runCli(["run", mmluFixture, "-t", "mmlu_generative", "--run", "mmlu", ...common]);
  if (mmlu.code !== 5) throw new Error(`mmlu run: exit ${mmlu.code}\n${mmlu.stderr}`);
  const mtb = await runCli(["run", mtBenchFixture, "-t", "mt_bench", "--judge-model", "judge", "--run", "mtb", ...common]);
  if (mtb.code !== 0) throw new Error(`mt_bench run: exit ${mtb.code}\n${mtb.stderr}`);
  return { dir, store, sims: [a, b] };
}
