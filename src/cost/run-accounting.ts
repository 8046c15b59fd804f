import type { Clock } from "../clock.js";
import type { EvalEvent } from "../events.js";
import type { BudgetState } from "./budget.js";
import { CostLedger, type CostSummary } from "./cost-ledger.js";
import type { ResolvedPrice } from "./resolve-prices.js";
import { type ResourceUsage, startResourceMeter } from "./resource-meter.js";

/** The summary's `resources` section: the machine, the network, and the requests made. */
export interface RunResources extends ResourceUsage {
  /** Attempts sent (retries included), helpers' too. */
  readonly requests: number;
  readonly retries: number;
}

/**
 * Cost and resource accounting for one run: fold every event into it, then `finish` for the
 * summary's `cost` and `resources` sections. Starts metering CPU and network when built.
 */
export class RunAccounting {
  readonly #ledger: CostLedger;
  readonly #meter;
  #requests = 0;
  #retries = 0;
  #budget: BudgetState | undefined;

  constructor(prices: readonly ResolvedPrice[], clock?: Clock, helperPrices: readonly ResolvedPrice[] = []) {
    this.#ledger = new CostLedger(prices, helperPrices);
    this.#meter = startResourceMeter(clock);
  }

  add(event: EvalEvent): void {
    this.#ledger.add(event);
    if (event.type === "request-end") {
      this.#requests++;
      if (event.attempt > 1) this.#retries++;
    } else if (event.type === "budget") this.#budget = event.state;
  }

  finish(): { cost: CostSummary; resources: RunResources } {
    return { cost: this.#ledger.build(this.#budget), resources: { ...this.#meter.stop(), requests: this.#requests, retries: this.#retries } };
  }
}
