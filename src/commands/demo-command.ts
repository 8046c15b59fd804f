import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { resolveRunConfig } from "../config/run-config.js";
import { startSim } from "../sim/index.js";
import { type CommandIO, runCommand } from "./run-command.js";

const sample = fileURLToPath(new URL("../../examples/gsm8k-sample.jsonl", import.meta.url));

/**
 * `npm run demo`: starts the simulator on a free loopback port with the sample's answer key, and
 * evaluates the bundled GSM8K sample with the bundled gsm8k task, exactly as `streameval run` would.
 */
export async function demoCommand(io: CommandIO): Promise<number> {
  const sim = await startSim({ port: 0, answerKeyFile: sample, accuracy: 0.75, ttftMs: 120, itlMs: 8, seed: 7 });
  const out = ".streameval/demo/results.jsonl";
  io.stderr.write(
    `demo: simulator at ${sim.url}\n` +
      `demo: streameval run ${sample} --task gsm8k --model sim-gpt --base-url ${sim.url} -c 8 --price 0.15/0.6 --progress -o ${out} --summary .streameval/demo/summary.json --store .streameval/demo --run demo --fresh\n\n`,
  );
  try {
    const config = resolveRunConfig(
      [sample],
      { task: ["gsm8k"], model: ["sim-gpt"], baseUrl: sim.url, concurrency: "8", price: "0.15/0.6", progress: true, output: out, summary: ".streameval/demo/summary.json", store: ".streameval/demo", run: "demo", fresh: true },
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
