/**
 * `streameval/cost`: prices, token counting, the budget's reservations and the cost ledger, for code
 * that accounts for spend outside `evaluate` (which applies `EvaluateOptions.budget` itself).
 */
export { costOf, parsePrice, ratesFor, type Price, type PriceTier } from "./price.js";
export { lookupPrice, type TablePrice } from "./price-table.js";
export { resolvePrices, type ResolvedPrice, type PriceSource } from "./resolve-prices.js";
export { Budget, type BudgetLimits, type BudgetState, type Hold } from "./budget.js";
export { createBudgetGate, type BudgetGate, type RequestHold } from "./budget-gate.js";
export { worstCase, promptTokenBound, outputTokenBound, type Spend } from "./worst-case.js";
export { loadTokenCounter, encodingFor, type TokenCounter } from "./count-tokens.js";
export { usageOrEstimate } from "./estimate-usage.js";
export { CostLedger, type CostSummary, type ModelCost } from "./cost-ledger.js";
export { startNetworkMeter, type NetworkUsage } from "./network-meter.js";
export type { RunResources } from "./run-accounting.js";
export type { ModelEstimate } from "./estimate-totals.js";
