import type { ChatReply, ChatRequest } from "../work/model.js";
import type { BudgetAccount } from "./budget.js";
import type { Price } from "./price.js";
import type { ImageTokenRule } from "../media/image-tokens.js";
import { settledSpend, worstCase } from "./worst-case.js";

/** A reservation for one attempt of one request. The first of settle/fail counts. */
export interface RequestHold {
  /** The attempt returned a reply: settle at its reported usage (or a bound when it reported none). */
  settle(reply: ChatReply): void;
  /**
   * The attempt failed. `billed: false` when the server refused it with an error status (nothing is
   * charged); `true` when it may have been billed (a timeout, a dropped stream), which keeps the
   * worst case, since what the provider charged is not known.
   */
  fail(billed: boolean): void;
}

/** What a dispatcher asks before each attempt. */
export interface BudgetGate {
  /**
   * Resolves once the request's worst case fits in the budget. Rejects with BudgetExhaustedError
   * when it never will (the run stops), or with the signal's reason when aborted while waiting.
   */
  reserve(request: ChatRequest, signal: AbortSignal): Promise<RequestHold>;
}

/**
 * Binds a Budget to the run's prices: worst cases and settlements are priced per `request.model`,
 * its images counted by the model's rule in `imageRules` (OpenAI's tile rule for a model without one).
 * Throws at once (when built) for a USD budget over a model without a known price.
 */
export function createBudgetGate(budget: BudgetAccount, prices: ReadonlyMap<string, Price | null>, needsPrices: boolean, imageRules: ReadonlyMap<string, ImageTokenRule> = new Map()): BudgetGate {
  if (needsPrices) {
    const unpriced = [...prices].filter(([, p]) => !p).map(([m]) => m);
    if (unpriced.length) {
      throw new RangeError(`Expected a price for every model under a USD budget, got none for ${unpriced.join(", ")} (give one with --price IN/OUT or \`price\` in the models file)`);
    }
  }
  return {
    async reserve(request, signal) {
      const price = prices.get(request.model) ?? null;
      // Images count by the model's own rule (the models file's image_tokens), else OpenAI's.
      const rule = imageRules.get(request.model);
      const worst = worstCase(request, price, rule);
      const hold = await budget.reserve(worst, signal);
      return {
        settle: (reply) => hold.settle(settledSpend(request, reply, price, rule)),
        fail: (billed) => (billed ? hold.settle(worst) : hold.cancel()),
      };
    },
  };
}
