import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/reliability/semaphore.js";

describe("Semaphore", () => {
  it("rejects a limit below 1 with an exact message", () => {
    expect(() => new Semaphore(0)).toThrow("Expected `limit` to be an integer >= 1, got 0");
  });

  it("grants up to the limit, then queues in FIFO order", async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const p3 = s.acquire().then((r) => (order.push(3), r));
    const p4 = s.acquire().then((r) => (order.push(4), r));
    expect(s.inUse).toBe(2);
    expect(s.waiting).toBe(2);
    r1();
    const r3 = await p3;
    expect(order).toEqual([3]);
    r2();
    await p4;
    expect(order).toEqual([3, 4]);
    r3();
    expect(s.inUse).toBe(1);
  });

  it("a release called twice frees one permit only", async () => {
    const s = new Semaphore(1);
    const r = await s.acquire();
    r();
    r();
    expect(s.inUse).toBe(0);
    await s.acquire();
    expect(s.inUse).toBe(1);
  });

  it("an aborted waiter leaves the queue without taking a permit", async () => {
    const s = new Semaphore(1);
    const r = await s.acquire();
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(s.waiting).toBe(0);
    r();
    expect(s.inUse).toBe(0);
  });

  it("raising the limit releases waiters at once", async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const p = s.acquire();
    s.setLimit(2);
    await p;
    expect(s.inUse).toBe(2);
  });
});
