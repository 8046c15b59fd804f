import type { Price } from "./price.js";
import { mayHavePrice } from "./price-match.js";
import type { TablePrice } from "./price-table.js";

/** Where a model's price came from: `--price`, the models YAML, the bundled table, given in code, or nowhere. */
export type PriceSource = "flag" | "models-file" | "table" | "given" | "unknown";

/** A model's price and where it came from (flag, models file, bundled table), or null when unknown. */
export interface ResolvedPrice {
  readonly model: string;
  /** Null when no source knows the model: its cost is reported as null, never as 0. */
  readonly price: Price | null;
  readonly source: PriceSource;
  /** For table prices: the table entry that matched (`openai/gpt-4o-mini`). */
  readonly matched?: string;
}

export interface ResolvePricesOptions {
  /** `--price IN/OUT`: applies to every model and wins over everything else. */
  readonly flag?: Price | null;
  /** Per-model prices (a models YAML's `price`), by model name. */
  readonly overrides?: ReadonlyMap<string, Price>;
  /** The endpoint per model (or one for all), to narrow table lookups to its provider. */
  readonly baseURL?: string | ((model: string) => string | undefined);
  /** The table lookup (default: the bundled `@pydantic/genai-prices` table, loaded on first use). */
  readonly lookup?: (model: string, options: { baseURL?: string }) => TablePrice | null;
}

/**
 * Each model's price, most specific source first: `--price`, then the models YAML, then the
 * bundled table. Pure apart from the table lookup; validates the prices it is given. Async only
 * because the table (830 kB of JavaScript) is imported when first needed, not at start-up, and only for a model
 * whose name it may match (`mayHavePrice`).
 */
export async function resolvePrices(models: readonly string[], options: ResolvePricesOptions = {}): Promise<ResolvedPrice[]> {
  if (options.flag) validatePrice(options.flag, "--price");
  for (const [model, price] of options.overrides ?? []) validatePrice(price, `price of ${model}`);
  // The table is loaded only for a model it may price: `mayHavePrice` knows the names it matches (sim has none).
  const needsTable = !options.flag && models.some((m) => !options.overrides?.has(m) && mayHavePrice(m));
  const lookup = options.lookup ?? (needsTable ? tableLookup((await import("./price-table.js")).lookupPrice) : () => null);
  return models.map((model) => {
    if (options.flag) return { model, price: options.flag, source: "flag" };
    const override = options.overrides?.get(model);
    if (override) return { model, price: override, source: "models-file" };
    const baseURL = typeof options.baseURL === "function" ? options.baseURL(model) : options.baseURL;
    const found = lookup(model, baseURL ? { baseURL } : {});
    if (found) return { model, price: found.price, source: "table", matched: `${found.provider}/${found.modelId}` };
    return { model, price: null, source: "unknown" };
  });
}

/** The table's lookup, asked only for the models it may price (the answer is null for the others either way). */
function tableLookup(lookupPrice: NonNullable<ResolvePricesOptions["lookup"]>): NonNullable<ResolvePricesOptions["lookup"]> {
  return (model, options) => (mayHavePrice(model) ? lookupPrice(model, options) : null);
}

/** The one warning for a model without a price. */
export function unknownPriceMessage(model: string): string {
  return `no price known for model ${model}: its cost is reported as null (give one with --price IN/OUT or \`price\` in the models file)`;
}

/** Throws a RangeError naming `what` unless every rate is a finite number >= 0. */
export function validatePrice(price: Price, what: string): void {
  for (const key of ["input", "output", "cached_input"] as const) {
    const v = price[key];
    if (v === undefined && key === "cached_input") continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`Expected \`${key}\` of ${what} to be a number >= 0 (USD per 1M tokens), got ${String(v)}`);
    }
  }
}
