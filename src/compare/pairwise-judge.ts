import { from, lastValueFrom, mergeMap, tap } from "rxjs";
import { cachedDispatcher } from "../cache/cached-dispatcher.js";
import type { ResponseCache } from "../cache/response-cache.js";
import { systemClock, type Clock } from "../clock.js";
import type { EvalEvent } from "../events.js";
import type { BudgetLimits, BudgetState } from "../cost/budget.js";
import { createRunBudget } from "../cost/run-budget.js";
import { createDispatchers } from "../reliability/create-dispatchers.js";
import type { Price } from "../cost/price.js";
import type { DispatchTarget } from "../reliability/create-dispatchers.js";
import { askJudge, type Judge, type JudgeReply, type JudgeSettings } from "../scorers/judge.js";
import { combineOrders, pairwiseMessages, parsePairVerdict, type PairVerdict, type PairWinner } from "../scorers/pairwise.js";
import { WinRate, type WinRateSummary } from "../stats/win-rate.js";
import { splitReasoning } from "../tasks/filters/strip-reasoning.js";
import type { ErrorInfo, Usage } from "../types.js";

/** One sample answered by both models: what was asked, each model's answer, and the reference when there is one. */
export interface PairInput {
  readonly task: string;
  readonly id: string;
  readonly repeat?: number;
  readonly question: string;
  readonly a: { readonly model: string; readonly response: string };
  readonly b: { readonly model: string; readonly response: string };
  readonly reference?: string;
}

/** One pair's result line. */
export interface PairResult {
  readonly task: string;
  readonly id: string;
  readonly repeat: number;
  readonly a: string;
  readonly b: string;
  readonly status: "ok" | "error";
  /** Over both orders, from a's side; absent on an error line. */
  readonly winner?: PairWinner;
  readonly consistent?: boolean;
  /** The verdict with a shown first (`ab`) and with b shown first (`ba`), as the judge wrote them. */
  readonly verdicts?: { readonly ab: PairVerdict | null; readonly ba: PairVerdict | null };
  readonly judgments: { readonly ab: string | null; readonly ba: string | null };
  readonly judge: { readonly model: string; readonly requests: number; readonly usage?: Usage; readonly cost_usd: number | null };
  readonly error?: ErrorInfo;
}

/** The judge: a model target as the run takes one (`ModelTarget` fits), with its price. */
export type JudgeTarget = DispatchTarget & { readonly price?: Price | null };

export interface PairwiseOptions {
  readonly pairs: AsyncIterable<PairInput> | Iterable<PairInput>;
  /** The judge: its own endpoint, concurrency, limits, retries, breaker and price. */
  readonly judge: JudgeTarget;
  /** Show the judge each pair's reference answer (FastChat's pair-math-v1). Default false. */
  readonly reference?: boolean;
  /** Remove each answer's `<think>` reasoning before the judge sees it (default true). */
  readonly stripReasoning?: boolean;
  /** Default temperature 0, max_tokens 2048 (FastChat's). */
  readonly settings?: JudgeSettings;
  /** A reply with no [[A]]/[[B]]/[[C]] is asked again this many times before the pair is an error (default 1); it is never cached. */
  readonly verdictRetries?: number;
  /** Judge replies are read from and kept in it, so a rerun asks nothing again. */
  readonly cache?: ResponseCache;
  /**
   * Hard limits on the judge's spending (`usd` needs the judge's price): each call reserves its worst
   * case (prompt + max_tokens) before it goes out. When the next call can never fit, no new pair is
   * started; a pair whose call was refused is left undone (no line), and `stopped` says `budget`.
   */
  readonly budget?: BudgetLimits;
  readonly clock?: Clock;
  readonly onEvent?: (event: EvalEvent) => void;
  readonly onResult?: (result: PairResult) => void;
  /** Aborting stops asking (pairs in flight end as errors). */
  readonly signal?: AbortSignal;
}

export interface PairwiseSummary extends WinRateSummary {
  readonly a: string | null;
  readonly b: string | null;
  readonly judge: string;
  /** Pairs not judged in both orders (a failed call, no verdict): not in the numbers above. */
  readonly errors: number;
  /** What the judge cost (null: no price known). */
  readonly cost_usd: number | null;
  /** Pairs not judged because the run stopped (the budget ran out, a fatal error): no line, not in the rates. */
  readonly undone: number;
  /** The budget's state at the end, when one was given. */
  readonly budget?: BudgetState;
  /** Why it stopped early: the budget was spent, or a fatal judge error (bad key, unknown model). */
  readonly stopped: { readonly reason: "budget" | "fatal"; readonly message: string } | null;
}

/**
 * Compares two models' answers pair by pair with a judge model: each pair is judged twice, a's answer
 * shown first then b's, so position bias cancels; a verdict that flips with the order counts as a tie.
 * Returns a's win rate (ties half) with its 95% Wilson interval, the judge's consistency (share of pairs
 * whose verdict did not flip) and how often it chose the first answer shown. Each pair's result goes to
 * `onResult` as it ends (in completion order); a pair with a failed call or no verdict is an error line,
 * left out of the rates. Pairs are read as the judge takes them: memory stays bounded.
 */
export async function comparePairwise(options: PairwiseOptions): Promise<PairwiseSummary> {
  const target = options.judge;
  const emit = options.onEvent ?? (() => {});
  let stopped: PairwiseSummary["stopped"] = null;
  const budget = options.budget
    ? createRunBudget(options.budget, new Map([[target.client.model, target.price ?? null]]), {
        emit,
        stop: (reason, message) => {
          if (stopped) return;
          stopped = { reason, message };
          emit({ type: "stopping", reason, message });
        },
      })
    : undefined;
  const built = createDispatchers([{ ...target, fallback: undefined }], { clock: options.clock ?? systemClock, emit, purpose: "judge", ...(budget ? { budget: budget.gate } : {}) });
  const raw = built.dispatchers.get(target.client.model)!;
  const judge: Judge = { model: target.client.model, dispatcher: options.cache ? cachedDispatcher(raw, options.cache, target.endpoint) : raw, price: target.price ?? null };
  const settings = options.settings ?? { temperature: 0, max_tokens: 2048 };
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const rate = new WinRate();
  let errors = 0;
  let undone = 0;
  let cost: number | null = 0;
  let models: { a: string; b: string } | null = null;
  const call = (p: PairInput, first: string, second: string) =>
    askJudge(judge, settings, pairwiseMessages({ question: p.question, first, second, ...(options.reference && p.reference !== undefined ? { reference: p.reference } : {}) }), {
      id: p.id,
      signal: abort.signal,
      verdict: { readable: (text: string) => parsePairVerdict(text) !== null, retries: options.verdictRetries ?? 1 },
      onFatal: (message) => {
        if (stopped?.reason !== "fatal") stopped = { reason: "fatal", message };
        abort.abort();
      },
    });
  try {
    await lastValueFrom(
      from(options.pairs).pipe(
        // A few pairs beyond the judge's slots, so its queue never runs dry; no more, so memory stays bounded.
        mergeMap(
          async (p) => {
            if (abort.signal.aborted || stopped) return null;
            const strip = (s: string) => (options.stripReasoning === false ? s : splitReasoning(s).answer);
            const [a, b] = [strip(p.a.response), strip(p.b.response)];
            const [ab, ba] = await Promise.all([call(p, a, b), call(p, b, a)]);
            // A call cut off by the budget (or the stop) is not the judge's answer: the pair stays undone,
            // though what its other call cost still counts.
            if (ab.cutOff || ba.cutOff) return { undone: sumCosts([ab, ba].filter((r) => !r.cutOff).map((r) => r.cost_usd)) };
            return pairResult(p, judge.model, ab, ba);
          },
          2 * (target.concurrency ?? 8),
        ),
        tap((result) => {
          if (result === null || "undone" in result) {
            undone++;
            if (result) cost = sumCosts([cost, result.undone]);
            return;
          }
          models ??= { a: result.a, b: result.b };
          cost = sumCosts([cost, result.judge.cost_usd]);
          if (result.status === "ok") {
            const ab = result.verdicts!.ab!;
            const ba = result.verdicts!.ba!;
            const decisive = [ab, ba].filter((v) => v !== "C").length;
            const chose_first = [ab, ba].filter((v) => v === "A").length;
            rate.add({ winner: result.winner!, consistent: result.consistent!, decisive, chose_first });
          } else errors++;
          options.onResult?.(result);
        }),
      ),
      { defaultValue: null },
    );
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    built.dispose();
  }
  const m = models as { a: string; b: string } | null;
  return { a: m?.a ?? null, b: m?.b ?? null, judge: judge.model, ...rate.summary(), errors, cost_usd: cost === null ? null : Math.round(cost * 1e12) / 1e12, undone, ...(budget ? { budget: budget.state() } : {}), stopped };
}

/** A sum of costs; unknown when any part is (never silently too low). */
function sumCosts(costs: readonly (number | null)[]): number | null {
  return costs.some((c) => c === null) ? null : (costs as number[]).reduce((a, b) => a + b, 0);
}

/** One pair's line from its two judge replies (pure). */
export function pairResult(p: PairInput, judgeModel: string, ab: JudgeReply, ba: JudgeReply): PairResult {
  const usage = [ab.usage, ba.usage].filter((u): u is Usage => u !== null);
  const base = {
    task: p.task,
    id: p.id,
    repeat: p.repeat ?? 0,
    a: p.a.model,
    b: p.b.model,
    judgments: { ab: ab.text, ba: ba.text },
    judge: {
      model: judgeModel,
      requests: ab.attempts + ba.attempts,
      ...(usage.length ? { usage: { prompt_tokens: usage.reduce((n, u) => n + u.prompt_tokens, 0), completion_tokens: usage.reduce((n, u) => n + u.completion_tokens, 0) } } : {}),
      cost_usd: ab.cost_usd === null || ba.cost_usd === null ? null : Math.round((ab.cost_usd + ba.cost_usd) * 1e12) / 1e12,
    },
  };
  const failure = ab.error ?? ba.error;
  if (failure) return { ...base, status: "error", error: failure };
  const verdicts = { ab: parsePairVerdict(ab.text ?? ""), ba: parsePairVerdict(ba.text ?? "") };
  if (!verdicts.ab || !verdicts.ba) {
    const which = verdicts.ab ? "b first" : "a first";
    return { ...base, status: "error", verdicts, error: { type: "judge_unparseable", message: `no [[A]], [[B]] or [[C]] in the judge's reply (${which})`, attempts: ab.attempts + ba.attempts } };
  }
  return { ...base, status: "ok", verdicts, ...combineOrders(verdicts.ab, verdicts.ba) };
}
