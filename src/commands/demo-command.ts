import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { resolveRunConfig } from "../config/run-config.js";
import { startSim, type SimOptions } from "../sim/index.js";
import { type CommandIO, runCommand } from "./run-command.js";

const gsm8kSample = fileURLToPath(new URL("../../examples/gsm8k-sample.jsonl", import.meta.url));
const chartsSample = fileURLToPath(new URL("../../examples/charts.jsonl", import.meta.url));

/** What a demo evaluates: the sample, the bundled task, and how the simulator answers it. */
interface Demo {
  readonly sample: string;
  readonly task: string;
  readonly model: string;
  readonly sim: SimOptions;
  /** The `sim` flags that start the same simulator by hand (shown in the demo's first lines). */
  readonly simFlags: string;
}

const DEMOS: Readonly<Record<"gsm8k" | "charts", Demo>> = {
  gsm8k: { sample: gsm8kSample, task: "gsm8k", model: "sim-gpt", sim: { answerKeyFile: gsm8kSample, accuracy: 0.75 }, simFlags: `--answer-key ${gsm8kSample} --accuracy 0.75` },
  // The chart set is its own answer key: the simulator answers by the digest of the image it receives.
  charts: {
    sample: chartsSample,
    task: "chartqa",
    model: "sim-vlm",
    sim: { answerKeyFile: chartsSample, answerField: "answer", replyFormat: "answer", accuracy: 0.75 },
    simFlags: `--answer-key ${chartsSample} --answer-field answer --reply-format answer --accuracy 0.75`,
  },
};

/**
 * `npm run demo`: starts the simulator on a free loopback port with the sample's answer key, and
 * evaluates the bundled GSM8K sample with the bundled gsm8k task, exactly as `streameval run` would.
 * `charts`: the bundled chart images (examples/charts.jsonl) with the bundled chartqa task instead.
 */
export async function demoCommand(io: CommandIO, options: { charts?: boolean } = {}): Promise<number> {
  const demo = DEMOS[options.charts ? "charts" : "gsm8k"];
  const sim = await startSim({ port: 0, ttftMs: 120, itlMs: 8, seed: 7, ...demo.sim });
  const out = ".streameval/demo/results.jsonl";
  io.stderr.write(
    `demo: simulator at ${sim.url} (streameval sim ${demo.simFlags})\n` +
      `demo: streameval run ${demo.sample} --task ${demo.task} --model ${demo.model} --base-url ${sim.url} -c 8 --price 0.15/0.6 --progress -o ${out} --summary .streameval/demo/summary.json --store .streameval/demo --run demo --fresh\n\n`,
  );
  try {
    const config = resolveRunConfig(
      [demo.sample],
      { task: [demo.task], model: [demo.model], baseUrl: sim.url, concurrency: "8", price: "0.15/0.6", progress: true, output: out, summary: ".streameval/demo/summary.json", store: ".streameval/demo", run: "demo", fresh: true },
      {},
    );
    const code = await runCommand(config, io);
    const first = (await readFile(out, "utf8")).split("\n")[0];
    io.stderr.write(`\ndemo: results in ${out}; the first line:\n${first}\n`);
    return code;
  } finally {
    await sim.close();
  }
}
