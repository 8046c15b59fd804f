import { type EvalEvent, foldOf } from "../events.js";
import type { ResultFold, Usage } from "../types.js";
import type { BudgetState } from "./budget.js";
import { judgeCostOf } from "./judge-cost.js";
import { costOf, type Price } from "./price.js";
import type { ResolvedPrice } from "./resolve-prices.js";

/** The summary's `cost` section. USD figures are null where some reply had no known price. */
export interface CostSummary {
  /** Evaluated samples (resumed ones included) plus helper calls. */
  total_usd: number | null;
  /** The result lines' `cost_usd`, summed. */
  eval_usd: number | null;
  /**
   * Helper calls (a judge …) by purpose, as the result lines report them (`judge.cost_usd`, resumed
   * lines and earlier sessions' judgments included): not in any sample's `cost_usd`, but in the total.
   */
  helpers_usd: Record<string, number | null>;
  /** Every attempt this process made (retries, helpers and abandoned samples included). */
  attempts_usd: number | null;
  /** Some token figures were counted offline because the server reported none. */
  estimated: boolean;
  by_model: Record<string, ModelCost>;
  by_task: Record<string, { usd: number | null }>;
  /** USD per correct answer, for metrics scored 0 or 1 on every sample: task → model → metric key. */
  per_correct_usd: Record<string, Record<string, Record<string, number | null>>>;
  /** Present when the run had a budget. */
  budget?: BudgetState;
}

/** One model's spend: requests, tokens and USD (null when its price is unknown). */
export interface ModelCost {
  usd: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  price: (Price & { source: ResolvedPrice["source"]; matched?: string }) | null;
}

/** A sum of USD amounts, kept in micro-dollars; null once an amount was unknown. */
class Money {
  #micros = 0;
  #unknown = false;
  get state(): MoneyState {
    return [this.#micros, this.#unknown];
  }
  merge(state: MoneyState): void {
    this.#micros += state[0];
    if (state[1]) this.#unknown = true;
  }
  add(usd: number | null | undefined): void {
    if (typeof usd === "number") this.#micros += usd * 1e6;
    else this.#unknown = true;
  }
  get value(): number | null {
    return this.#unknown ? null : Math.round(this.#micros * 1e6) / 1e12;
  }
}

/** Money's saved form: micro-dollars and whether some amount was unknown. */
type MoneyState = readonly [number, boolean];

/**
 * What `CostLedger.state` saves of the result lines folded (not the attempts: those are a process's, never
 * resumed). Plain JSON; `mergeState` checks its shape.
 */
export interface CostLedgerState {
  readonly eval: MoneyState;
  readonly helpers: readonly (readonly [string, MoneyState])[];
  readonly byModel: readonly (readonly [string, MoneyState, readonly [number, number, number, number]])[];
  readonly byTask: readonly (readonly [string, MoneyState])[];
  readonly byTaskModel: readonly (readonly [string, string, MoneyState, readonly (readonly [string, number, boolean])[]])[];
  readonly estimated: boolean;
}

interface ScoreAcc {
  correct: number;
  binary: boolean;
}

interface TaskModelCost {
  readonly task: string;
  readonly model: string;
  readonly money: Money;
  readonly scores: Map<string, ScoreAcc>;
}

/**
 * Folds a run's events into its cost summary, in memory bounded by tasks × models × metrics:
 * result lines give per-sample costs (per model, per task, per correct answer) and their helpers'
 * (a line's `judge.cost_usd`), so a resumed run's summary covers the whole run; `request-end`
 * events give what every attempt of this process cost, helpers' included.
 */
export class CostLedger {
  readonly #prices: ReadonlyMap<string, ResolvedPrice>;
  readonly #eval = new Money();
  readonly #attempts = new Money();
  readonly #helpers = new Map<string, Money>();
  readonly #byModel = new Map<string, { money: Money; usage: Required<Omit<Usage, "estimated">> }>();
  readonly #byTask = new Map<string, Money>();
  /** Task → model → what its lines cost and scored (nested maps: no key made per line). */
  readonly #byTaskModel = new Map<string, Map<string, TaskModelCost>>();
  /** The same, in the order the pairs were first seen (the order `per_correct_usd` is built in). */
  readonly #taskModels: TaskModelCost[] = [];
  #estimated = false;

  /** `helperPrices`: models called only by helpers (a judge), priced but not listed by model. */
  constructor(prices: readonly ResolvedPrice[], helperPrices: readonly ResolvedPrice[] = []) {
    this.#prices = new Map([...helperPrices, ...prices].map((p) => [p.model, p]));
    for (const p of prices) this.#model(p.model);
  }

  add(event: EvalEvent): void {
    if (event.type === "result") this.addResult(foldOf(event));
    else if (event.type === "request-end" && event.usage) {
      this.addAttempt(event.model, event.usage, event.purpose ?? "eval");
    }
  }

  /**
   * One attempt's usage, in `attempts_usd`. A helper's (`purpose` other than `eval`) makes its
   * purpose appear in `helpers_usd` even before a line reports its cost.
   */
  addAttempt(model: string, usage: Usage, purpose = "eval"): void {
    this.#attempts.add(costOf(usage, this.#prices.get(model)?.price));
    if (usage.estimated) this.#estimated = true;
    if (purpose !== "eval") this.#helper(purpose);
  }

  #helper(purpose: string): Money {
    let m = this.#helpers.get(purpose);
    if (!m) this.#helpers.set(purpose, (m = new Money()));
    return m;
  }

  addResult(line: ResultFold): void {
    if (line.status !== "ok") return;
    const cost = line.cost_usd;
    this.#eval.add(cost);
    const judge = judgeCostOf(line);
    if (judge) this.#helper("judge").add(judge.usd);
    const model = this.#model(line.model);
    model.money.add(cost);
    if (line.usage) {
      model.usage.prompt_tokens += line.usage.prompt_tokens;
      model.usage.completion_tokens += line.usage.completion_tokens;
      model.usage.cached_tokens += line.usage.cached_tokens ?? 0;
      model.usage.reasoning_tokens += line.usage.reasoning_tokens ?? 0;
      if (line.usage.estimated) this.#estimated = true;
    }
    let task = this.#byTask.get(line.task);
    if (!task) this.#byTask.set(line.task, (task = new Money()));
    task.add(cost);
    let byModel = this.#byTaskModel.get(line.task);
    if (!byModel) this.#byTaskModel.set(line.task, (byModel = new Map<string, TaskModelCost>()));
    let tm = byModel.get(line.model);
    if (!tm) {
      byModel.set(line.model, (tm = { task: line.task, model: line.model, money: new Money(), scores: new Map() }));
      this.#taskModels.push(tm);
    }
    tm.money.add(cost);
    for (const [metric, value] of Object.entries(line.scores ?? {})) {
      let s = tm.scores.get(metric);
      if (!s) tm.scores.set(metric, (s = { correct: 0, binary: true }));
      if (value === 1) s.correct++;
      else if (value !== 0) s.binary = false;
    }
  }

  /** The saved form of what the result lines folded so far gave (a summary snapshot, summary-snapshot.ts). */
  state(): CostLedgerState {
    return {
      eval: this.#eval.state,
      helpers: [...this.#helpers].map(([purpose, m]) => [purpose, m.state] as const),
      byModel: [...this.#byModel].map(([name, m]) => [name, m.money.state, [m.usage.prompt_tokens, m.usage.completion_tokens, m.usage.cached_tokens, m.usage.reasoning_tokens]] as const),
      byTask: [...this.#byTask].map(([name, m]) => [name, m.state] as const),
      byTaskModel: this.#taskModels.map((tm) => [tm.task, tm.model, tm.money.state, [...tm.scores].map(([metric, s]) => [metric, s.correct, s.binary] as const)] as const),
      estimated: this.#estimated,
    };
  }

  /** Adds a saved form (`state()`) as if its lines were folded here; false, adding nothing, when it is not one. */
  mergeState(state: unknown): boolean {
    if (!isLedgerState(state)) return false;
    this.#eval.merge(state.eval);
    for (const [purpose, m] of state.helpers) this.#helper(purpose).merge(m);
    for (const [name, money, usage] of state.byModel) {
      const m = this.#model(name);
      m.money.merge(money);
      m.usage.prompt_tokens += usage[0];
      m.usage.completion_tokens += usage[1];
      m.usage.cached_tokens += usage[2];
      m.usage.reasoning_tokens += usage[3];
    }
    for (const [name, money] of state.byTask) {
      let task = this.#byTask.get(name);
      if (!task) this.#byTask.set(name, (task = new Money()));
      task.merge(money);
    }
    for (const [taskName, modelName, money, scores] of state.byTaskModel) {
      let byModel = this.#byTaskModel.get(taskName);
      if (!byModel) this.#byTaskModel.set(taskName, (byModel = new Map<string, TaskModelCost>()));
      let tm = byModel.get(modelName);
      if (!tm) {
        byModel.set(modelName, (tm = { task: taskName, model: modelName, money: new Money(), scores: new Map() }));
        this.#taskModels.push(tm);
      }
      tm.money.merge(money);
      for (const [metric, correct, binary] of scores) {
        let s = tm.scores.get(metric);
        if (!s) tm.scores.set(metric, (s = { correct: 0, binary: true }));
        s.correct += correct;
        if (!binary) s.binary = false;
      }
    }
    if (state.estimated) this.#estimated = true;
    return true;
  }

  build(budget?: BudgetState): CostSummary {
    const helpers_usd: Record<string, number | null> = {};
    const total = new Money();
    total.add(this.#eval.value);
    for (const [purpose, m] of this.#helpers) {
      helpers_usd[purpose] = m.value;
      total.add(m.value);
    }
    const by_model: Record<string, ModelCost> = {};
    for (const [name, m] of this.#byModel) {
      const p = this.#prices.get(name);
      by_model[name] = {
        usd: m.money.value,
        ...m.usage,
        price: p?.price ? { ...p.price, source: p.source, ...(p.matched ? { matched: p.matched } : {}) } : null,
      };
    }
    const by_task: Record<string, { usd: number | null }> = {};
    for (const [name, m] of this.#byTask) by_task[name] = { usd: m.value };
    const per_correct_usd: CostSummary["per_correct_usd"] = {};
    for (const { task, model, money, scores } of this.#taskModels) {
      const usd = money.value;
      for (const [metric, s] of scores) {
        if (!s.binary) continue;
        ((per_correct_usd[task] ??= {})[model] ??= {})[metric] = usd === null || s.correct === 0 ? null : Math.round((usd / s.correct) * 1e12) / 1e12;
      }
    }
    return {
      total_usd: total.value,
      eval_usd: this.#eval.value,
      helpers_usd,
      attempts_usd: this.#attempts.value,
      estimated: this.#estimated,
      by_model,
      by_task,
      per_correct_usd,
      ...(budget ? { budget } : {}),
    };
  }

  #model(name: string) {
    let m = this.#byModel.get(name);
    if (!m) this.#byModel.set(name, (m = { money: new Money(), usage: { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 } }));
    return m;
  }
}

const isMoney = (v: unknown): v is MoneyState => Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === "boolean";
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const every = (v: unknown, each: (item: unknown[]) => boolean) => Array.isArray(v) && v.every((item) => Array.isArray(item) && each(item));

/** Whether `v` has the shape of a `CostLedgerState` (a snapshot read back from the store is checked, not trusted). */
function isLedgerState(v: unknown): v is CostLedgerState {
  if (v === null || typeof v !== "object") return false;
  const s = v as Record<string, unknown>;
  return (
    isMoney(s.eval) &&
    typeof s.estimated === "boolean" &&
    every(s.helpers, (h) => h.length === 2 && typeof h[0] === "string" && isMoney(h[1])) &&
    every(s.byModel, (m) => m.length === 3 && typeof m[0] === "string" && isMoney(m[1]) && Array.isArray(m[2]) && m[2].length === 4 && m[2].every(isCount)) &&
    every(s.byTask, (t) => t.length === 2 && typeof t[0] === "string" && isMoney(t[1])) &&
    every(s.byTaskModel, (t) => t.length === 4 && typeof t[0] === "string" && typeof t[1] === "string" && isMoney(t[2]) && every(t[3], (x) => x.length === 3 && typeof x[0] === "string" && isCount(x[1]) && typeof x[2] === "boolean"))
  );
}
