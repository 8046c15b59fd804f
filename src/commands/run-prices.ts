import type { RunConfig } from "../config/run-config.js";
import type { BudgetLimits } from "../cost/budget.js";
import type { Price } from "../cost/price.js";
import { type ResolvedPrice, resolvePrices } from "../cost/resolve-prices.js";
import { ConfigError } from "../errors/config-error.js";

/**
 * The run's price per model (`--price`, then the models file's `price`, then the bundled table)
 * and its budget. A ConfigError when `--budget-usd` is given and some model has no price.
 */
export async function runPricesAndBudget(
  config: RunConfig,
  overrides?: ReadonlyMap<string, Price>,
): Promise<{ prices: ResolvedPrice[]; budget: BudgetLimits | undefined }> {
  const prices = await resolvePrices(config.models, { flag: config.price, overrides, baseURL: config.baseURL });
  const unpriced = prices.filter((p) => !p.price).map((p) => p.model);
  if (config.budgetUsd !== undefined && unpriced.length) {
    throw new ConfigError(`no price known for ${unpriced.join(", ")}: a USD budget needs one (give --price IN/OUT or \`price\` in the models file)`, { key: "--budget-usd" });
  }
  const budget = config.budgetUsd === undefined && config.maxTokensTotal === undefined ? undefined : { usd: config.budgetUsd, tokens: config.maxTokensTotal };
  return { prices, budget };
}
