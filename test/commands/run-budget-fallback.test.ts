import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/run-command.js";
import { parseModelsConfig } from "../../src/config/models-config.js";
import { resolveRunConfig } from "../../src/config/run-config.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { memoryIO } from "../support/command-io.js";

const sample = fileURLToPath(new URL("../../examples/gsm8k-sample.jsonl", import.meta.url));

describe("run: a USD budget and fallbacks", () => {
  it("a fallback without a price is a config error naming --budget-usd (not a crash)", async () => {
    const modelsConfig = parseModelsConfig("models:\n  sim:\n    base_url: http://127.0.0.1:59999/v1\n    price: {input: 1, output: 2}\n    fallback: simfb\n  simfb:\n    base_url: http://127.0.0.1:59999/v1\n", "models.yaml");
    const config = resolveRunConfig([sample], { task: ["gsm8k"], model: ["sim"], budgetUsd: "1", store: false }, {}, { modelsConfig });
    const error = await runCommand(config, memoryIO()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("no price known for the fallback simfb: a USD budget needs one");
  });
});
