import type { EvalEvent } from "../events.js";
import type { BudgetState } from "./budget.js";
import { CostLedger, type CostLedgerState, type CostSummary } from "./cost-ledger.js";
import type { ResolvedPrice } from "./resolve-prices.js";
import { type NetworkUsage, startNetworkMeter } from "./network-meter.js";

/** The summary's `resources` figures for the machine: the run's process meter gives them (`ProcessMeter.usage`). */
export interface MachineUsage {
  /** From the first reading to the last. */
  readonly wall_s: number;
  readonly cpu_user_s: number;
  readonly cpu_system_s: number;
  /** The process's peak resident set size, in MB (the same figure as the summary's `process.rss_mb.peak`). */
  readonly peak_rss_mb: number;
}

/** The summary's `resources` section: the machine, the network, and the requests made. */
export interface RunResources extends MachineUsage, NetworkUsage {
  /** Attempts sent (retries included), helpers' too. */
  readonly requests: number;
  readonly retries: number;
}

/**
 * Cost and resource accounting for one run: fold every event into it, then `finish` for the
 * summary's `cost` and `resources` sections. Starts counting network bytes when built; wall time,
 * CPU and peak RSS come from the run's process meter at `finish`, so the summary measures them once.
 */
export class RunAccounting {
  readonly #ledger: CostLedger;
  readonly #network;
  #requests = 0;
  #retries = 0;
  #budget: BudgetState | undefined;

  constructor(prices: readonly ResolvedPrice[], helperPrices: readonly ResolvedPrice[] = []) {
    this.#ledger = new CostLedger(prices, helperPrices);
    this.#network = startNetworkMeter();
  }

  add(event: EvalEvent): void {
    this.#ledger.add(event);
    if (event.type === "request-end") {
      this.#requests++;
      if (event.attempt > 1) this.#retries++;
    } else if (event.type === "budget") this.#budget = event.state;
  }

  /** Adds the saved form of another ledger's result lines (`CostLedger.state`), as if they were folded here. */
  mergeResults(state: CostLedgerState): boolean {
    return this.#ledger.mergeState(state);
  }

  /** `machine`: the process meter's figures for the run (`ProcessMeter.usage()` after it stopped). */
  finish(machine: MachineUsage): { cost: CostSummary; resources: RunResources } {
    const resources = { ...machine, ...this.#network.stop(), requests: this.#requests, retries: this.#retries };
    return { cost: this.#ledger.build(this.#budget), resources };
  }
}
