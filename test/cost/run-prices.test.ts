import { describe, expect, it } from "vitest";
import { runPricesAndBudget } from "../../src/commands/run-prices.js";
import { resolveRunConfig } from "../../src/config/run-config.js";

const config = (flags: Record<string, unknown>) =>
  resolveRunConfig([], { task: ["gsm8k"], model: ["gpt-4o-mini"], baseUrl: "http://127.0.0.1:59999/v1", ...flags }, {});

describe("runPricesAndBudget (run flags → prices and budget)", () => {
  it("reads --budget-usd and --max-tokens-total, and validates them", async () => {
    expect((await runPricesAndBudget(config({ budgetUsd: "2.5", maxTokensTotal: "1000" }))).budget).toEqual({ usd: 2.5, tokens: 1000 });
    expect((await runPricesAndBudget(config({}))).budget).toBeUndefined();
    expect(() => config({ budgetUsd: "0" })).toThrow('key `--budget-usd`: expected a number > 0, got "0"');
    expect(() => config({ maxTokensTotal: "1e3x" })).toThrow('key `--max-tokens-total`: expected an integer >= 1, got "1e3x"');
  });

  it("prices from the table, or --price for every model", async () => {
    expect((await runPricesAndBudget(config({}))).prices[0]).toMatchObject({ source: "table", price: { input: 0.15, output: 0.6 } });
    expect((await runPricesAndBudget(config({ price: "1/2" }))).prices[0]).toMatchObject({ source: "flag", price: { input: 1, output: 2 } });
  });

  it("refuses a USD budget over a model without a price (a usage error, exit 2)", async () => {
    await expect(runPricesAndBudget(config({ model: ["mystery"], budgetUsd: "1" }))).rejects.toThrow(
      "key `--budget-usd`: no price known for mystery: a USD budget needs one (give --price IN/OUT or `price` in the models file)",
    );
    expect((await runPricesAndBudget(config({ model: ["mystery"], maxTokensTotal: "10" }))).budget).toEqual({ usd: undefined, tokens: 10 });
  });
});
