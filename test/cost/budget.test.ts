import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Budget, type Hold } from "../../src/cost/budget.js";
import { BudgetExhaustedError } from "../../src/errors/budget-exhausted-error.js";

/** Lets granted reservations' promise callbacks run (no timers involved). */
const flush = () => new Promise<void>((r) => setImmediate(r));

describe("Budget", () => {
  it("validates its limits when built", () => {
    expect(() => new Budget({})).toThrow("Expected `usd` or `tokens` to set a limit, got neither");
    expect(() => new Budget({ usd: 0 })).toThrow("Expected `usd` to be a number > 0, got 0");
    expect(() => new Budget({ usd: Number.NaN })).toThrow("Expected `usd` to be a number > 0, got NaN");
    expect(() => new Budget({ tokens: 1.5 })).toThrow("Expected `tokens` to be an integer > 0, got 1.5");
  });

  it("grants reservations that fit and makes the next wait until one settles", async () => {
    const b = new Budget({ usd: 1 });
    const h1 = await b.reserve({ usd: 0.4, tokens: 0 });
    const h2 = await b.reserve({ usd: 0.4, tokens: 0 });
    let third: Hold | undefined;
    void b.reserve({ usd: 0.4, tokens: 0 }).then((h) => (third = h));
    await flush();
    expect(third).toBeUndefined();
    expect(b.waiting).toBe(1);
    h1.settle({ usd: 0.1, tokens: 0 });
    await flush();
    expect(third).toBeDefined();
    expect(b.state().usd).toEqual({ limit: 1, spent: 0.1, reserved: 0.8 });
    h2.cancel();
    third!.settle({ usd: 0.3, tokens: 0 });
    expect(b.state().usd).toEqual({ limit: 1, spent: 0.4, reserved: 0 });
  });

  it("is exhausted when a reservation cannot fit beside what is spent, even with nothing in flight", async () => {
    const stops: string[] = [];
    const b = new Budget({ usd: 1, onExhausted: (m) => stops.push(m) });
    const h = await b.reserve({ usd: 0.9, tokens: 0 });
    const waiting = b.reserve({ usd: 0.5, tokens: 0 });
    const behind = b.reserve({ usd: 0.01, tokens: 0 });
    expect(stops).toEqual([]);
    h.settle({ usd: 0.6, tokens: 0 });
    await expect(waiting).rejects.toBeInstanceOf(BudgetExhaustedError);
    // Strict order: the small one behind is refused too, and so is every later reservation.
    await expect(behind).rejects.toBeInstanceOf(BudgetExhaustedError);
    await expect(b.reserve({ usd: 0.001, tokens: 0 })).rejects.toThrow("$0.6 of $1 spent; the next request's worst case ($0.5) does not fit in the $0.4 left");
    expect(stops).toHaveLength(1);
    expect(b.exhausted).toBe(true);
  });

  it("warns once each at 50%, 80% and when used up", async () => {
    const warnings: string[] = [];
    const b = new Budget({ usd: 1, onWarning: (m) => warnings.push(m) });
    for (const spend of [0.3, 0.3, 0.1, 0.15, 0.1]) (await b.reserve({ usd: 0.1, tokens: 0 })).settle({ usd: spend, tokens: 0 });
    expect(warnings).toEqual(["budget: 50% spent ($0.6 of $1)", "budget: 80% spent ($0.85 of $1)"]);
    expect(b.state().usd?.spent).toBe(0.95);
    await expect(b.reserve({ usd: 0.1, tokens: 0 })).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(warnings[2]).toBe("budget: 100%, no room for another request ($0.95 of $1 spent)");
    expect(warnings).toHaveLength(3);
  });

  it("limits tokens the same way (--max-tokens-total)", async () => {
    const b = new Budget({ tokens: 100 });
    const h = await b.reserve({ usd: null, tokens: 60 });
    h.settle({ usd: null, tokens: 50 });
    await expect(b.reserve({ usd: null, tokens: 60 })).rejects.toThrow("50 of 100 tokens spent; the next request's worst case (60 tokens) does not fit in the 50 left");
  });

  it("refuses an unpriced request under a USD limit", async () => {
    await expect(new Budget({ usd: 1 }).reserve({ usd: null, tokens: 1 })).rejects.toThrow(RangeError);
  });

  it("lets an aborted waiter leave the queue, and the ones behind it go", async () => {
    const b = new Budget({ usd: 1 });
    const h = await b.reserve({ usd: 0.6, tokens: 0 });
    const ac = new AbortController();
    const big = b.reserve({ usd: 0.5, tokens: 0 }, ac.signal);
    let small: Hold | undefined;
    void b.reserve({ usd: 0.3, tokens: 0 }).then((x) => (small = x));
    await flush();
    expect(small).toBeUndefined();
    ac.abort(new Error("stop"));
    await expect(big).rejects.toThrow("stop");
    await flush();
    expect(small).toBeDefined();
    h.cancel();
  });

  it("never lets settled plus reserved spending pass the limit, whatever the order (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 100, max: 3000 }),
        async (requests, limitMicros) => {
          const limit = limitMicros / 1e6;
          const b = new Budget({ usd: limit });
          let settled = 0;
          let maxCommitted = 0;
          const pending: Promise<void>[] = [];
          const holds: { hold: Hold; worst: number; share: number; fail: boolean }[] = [];
          for (const [worstMicros, share, fail] of requests) {
            const worst = worstMicros / 1e6;
            pending.push(
              b.reserve({ usd: worst, tokens: 0 }).then(
                (hold) => void holds.push({ hold, worst, share, fail }),
                (e: unknown) => expect(e).toBeInstanceOf(BudgetExhaustedError),
              ),
            );
          }
          // Settle in flight holds in a scrambled order until nothing is left.
          for (let round = 0; round < 200 && (holds.length > 0 || b.waiting > 0); round++) {
            await flush();
            const s = b.state().usd!;
            maxCommitted = Math.max(maxCommitted, s.spent + s.reserved);
            const next = holds.splice(round % Math.max(1, holds.length), 1)[0];
            if (!next) continue;
            const actual = next.fail ? next.worst : next.worst * next.share;
            next.hold.settle({ usd: actual, tokens: 0 });
            settled += actual;
          }
          await Promise.all(pending);
          expect(settled).toBeLessThanOrEqual(limit);
          expect(maxCommitted).toBeLessThanOrEqual(limit + 1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });
});
