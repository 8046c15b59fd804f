import { describe, expect, it } from "vitest";
import { Demand } from "../../src/io/demand.js";

// The dispatcher's concurrency slots: Demand.take (what reliability/semaphore.ts was).
describe("Demand.take", () => {
  it("rejects a limit below 1 with an exact message", () => {
    expect(() => new Demand(0)).toThrow("Expected `limit` to be an integer >= 1, got 0");
  });

  it("grants up to the limit, then queues in FIFO order", async () => {
    const s = new Demand(2);
    const order: number[] = [];
    const r1 = await s.take();
    const r2 = await s.take();
    const p3 = s.take().then((r) => (order.push(3), r));
    const p4 = s.take().then((r) => (order.push(4), r));
    expect(s.inFlight).toBe(2);
    expect(s.waiting).toBe(2);
    r1();
    const r3 = await p3;
    expect(order).toEqual([3]);
    r2();
    await p4;
    expect(order).toEqual([3, 4]);
    r3();
    expect(s.inFlight).toBe(1);
  });

  it("a release called twice frees one permit only", async () => {
    const s = new Demand(1);
    const r = await s.take();
    r();
    r();
    expect(s.inFlight).toBe(0);
    await s.take();
    expect(s.inFlight).toBe(1);
  });

  it("an aborted waiter leaves the queue without taking a permit", async () => {
    const s = new Demand(1);
    const r = await s.take();
    const ac = new AbortController();
    const waiting = s.take(ac.signal);
    ac.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(s.waiting).toBe(0);
    r();
    expect(s.inFlight).toBe(0);
  });

  it("raising the limit releases waiters at once", async () => {
    const s = new Demand(1);
    await s.take();
    const p = s.take();
    s.setLimit(2);
    await p;
    expect(s.inFlight).toBe(2);
  });
});
