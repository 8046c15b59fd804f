import { describe, expect, it } from "vitest";
import { finalize, firstValueFrom, from, lastValueFrom, map, mergeMap, take, toArray } from "rxjs";
import { Demand, pullSource } from "../../src/io/demand.js";
import { withBatches } from "../../src/io/line-batches.js";

/** Resolves after pending microtasks and I/O callbacks have run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Demand", () => {
  it("validates its limit", () => {
    expect(() => new Demand(0)).toThrow("Expected `limit` to be an integer >= 1, got 0");
    expect(() => new Demand(1.5)).toThrow("Expected `limit` to be an integer >= 1, got 1.5");
  });

  it("grants up to the limit, then waits for a release, first come first served", async () => {
    const demand = new Demand(2);
    await demand.acquire();
    await demand.acquire();
    const order: string[] = [];
    const a = demand.acquire().then(() => order.push("a"));
    const b = demand.acquire().then(() => order.push("b"));
    await tick();
    expect(order).toEqual([]);
    expect(demand.waiting).toBe(2);
    demand.release();
    await a;
    expect(order).toEqual(["a"]);
    expect(demand.inFlight).toBe(2);
    demand.release(2);
    await b;
    expect(order).toEqual(["a", "b"]);
    expect(demand.inFlight).toBe(1);
  });

  it("setLimit: raising it lets waiters go at once; lowering it takes no new item until fewer are out", async () => {
    const demand = new Demand(1);
    await demand.acquire();
    const granted: number[] = [];
    const waiting = [1, 2, 3].map((n) => demand.acquire().then(() => granted.push(n)));
    demand.setLimit(3);
    await Promise.resolve();
    expect(granted).toEqual([1, 2]);
    expect(demand.inFlight).toBe(3);
    demand.setLimit(1);
    demand.release();
    demand.release();
    await Promise.resolve();
    expect(granted).toEqual([1, 2]); // 1 still out: the lowered limit holds the third
    demand.release();
    await Promise.all(waiting);
    expect(granted).toEqual([1, 2, 3]);
    expect(() => demand.setLimit(0)).toThrow("Expected `limit` to be an integer >= 1, got 0");
  });

  it("throws on releasing more than was acquired", async () => {
    const demand = new Demand(3);
    await demand.acquire();
    expect(() => demand.release(2)).toThrow("Demand released 2 unit(s) with only 1 in flight");
    expect(demand.inFlight).toBe(1);
  });

  it("withdraws a waiting acquire when its signal aborts, taking no unit", async () => {
    const demand = new Demand(1);
    await demand.acquire();
    const ac = new AbortController();
    const waiting = demand.acquire(ac.signal);
    ac.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(demand.waiting).toBe(0);
    demand.release();
    expect(demand.inFlight).toBe(0);
  });

  it("listens once on a signal that many waits use in turn, and still withdraws every wait on it when it aborts", async () => {
    const demand = new Demand(1);
    await demand.acquire();
    const ac = new AbortController();
    let added = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = (...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    };
    for (let i = 0; i < 100; i++) {
      const waiting = demand.acquire(ac.signal);
      demand.release();
      await waiting;
    }
    // One listener for the hundred waits: a listener added and removed per wait leaves the signal's map of listeners
    // empty after each, which V8 reallocates in the old generation when the signal lives there.
    expect(added).toBe(1);
    const order: string[] = [];
    const a = demand.acquire(ac.signal).catch((e: Error) => order.push(`a ${e.message}`));
    const b = demand.acquire(ac.signal).catch((e: Error) => order.push(`b ${e.message}`));
    ac.abort(new Error("stop"));
    await Promise.all([a, b]);
    expect(order).toEqual(["a stop", "b stop"]);
    expect(demand.waiting).toBe(0);
    demand.release();
    expect(demand.inFlight).toBe(0);
  });

  it("withdraws only the waits on the signal that aborts when waits on two signals overlap", async () => {
    const demand = new Demand(1);
    await demand.acquire();
    const first = new AbortController();
    const second = new AbortController();
    const order: string[] = [];
    const a = demand.acquire(first.signal).then(() => order.push("a"), (e: Error) => order.push(`a ${e.message}`));
    const b = demand.acquire(second.signal).then(() => order.push("b"), (e: Error) => order.push(`b ${e.message}`));
    const c = demand.acquire(first.signal).then(() => order.push("c"), (e: Error) => order.push(`c ${e.message}`));
    second.abort(new Error("second"));
    await b;
    expect(demand.waiting).toBe(2);
    demand.release();
    await a;
    first.abort(new Error("first"));
    await c;
    expect(order).toEqual(["b second", "a", "c first"]);
    // The listener moves to a signal a later wait uses once nobody waits on the last: the aborted first signal no
    // longer withdraws anything, the third signal's abort does.
    demand.release();
    const third = new AbortController();
    await demand.acquire(third.signal);
    const d = demand.acquire(third.signal).catch((e: Error) => e.message);
    third.abort(new Error("third"));
    await expect(d).resolves.toBe("third");
    demand.release();
    expect(demand.inFlight).toBe(0);
  });

  it("ticket releases one unit on the count-th call, and refuses extra calls", async () => {
    const demand = new Demand(1);
    await demand.acquire();
    const done = demand.ticket(3);
    done();
    done();
    expect(demand.inFlight).toBe(1);
    done();
    expect(demand.inFlight).toBe(0);
    expect(() => done()).toThrow("Demand ticket called more times than its count");
  });

  it("ticket(0) releases at once", async () => {
    const demand = new Demand(1);
    await demand.acquire();
    demand.ticket(0);
    expect(demand.inFlight).toBe(0);
    expect(() => demand.ticket(-1)).toThrow("Expected `count` to be an integer >= 0, got -1");
  });
});

describe("pullSource", () => {
  it("keeps a 1,000,000-item generator at most `limit` ahead of a consumer that holds 10 in flight", async () => {
    const limit = 10;
    const demand = new Demand(limit);
    let pulled = 0;
    let released = 0;
    let maxAhead = 0;
    async function* numbers() {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - released);
        yield i;
      }
    }
    // Each item is "processed" on a later turn of the event loop, then released: slower than the
    // generator, so the source must wait for demand.
    const work = (i: number) =>
      from(new Promise<number>((resolve) => setImmediate(() => resolve(i)))).pipe(
        finalize(() => {
          released++;
          demand.release();
        }),
      );
    let sum = 0;
    let count = 0;
    await lastValueFrom(
      pullSource(numbers(), demand).pipe(
        mergeMap(work),
        map((i) => {
          sum += i;
          count++;
        }),
      ),
      { defaultValue: undefined },
    );
    expect(count).toBe(1_000_000);
    expect(sum).toBe((999_999 * 1_000_000) / 2);
    expect(maxAhead).toBeLessThanOrEqual(limit);
    // The consumer was slower than the source, so the limit was actually reached.
    expect(maxAhead).toBe(limit);
    expect(demand.inFlight).toBe(0);
  });

  it("lets the event loop turn while a source and a consumer that never wait run on promise jobs alone", async () => {
    const demand = new Demand(64);
    async function* numbers() {
      for (let i = 0; i < 100_000; i++) yield i;
    }
    async function* hundreds() {
      for (let b = 0; b < 1_000; b++) yield Array.from({ length: 100 }, (_, i) => b * 100 + i);
    }
    // Read one at a time, and a batch at a time (as openInputs' lines are).
    for (const source of [numbers(), withBatches(hundreds())]) {
      let count = 0;
      let countAtTimer: number | undefined;
      setImmediate(() => (countAtTimer = count));
      // Each item is done as soon as it is seen: no timer, no I/O, nothing but promise jobs.
      await lastValueFrom(
        pullSource(source, demand).pipe(
          mergeMap(async (i: number) => {
            await Promise.resolve();
            demand.release();
            return i;
          }),
          map(() => count++),
        ),
        { defaultValue: undefined },
      );
      expect(count).toBe(100_000);
      // The timer set before the run fired during it, within the first few thousand items.
      expect(countAtTimer).toBeDefined();
      expect(countAtTimer!).toBeLessThan(5_000);
    }
  });

  it("reads nothing more while the consumer holds every unit", async () => {
    const demand = new Demand(3);
    let pulled = 0;
    async function* endless() {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    }
    const seen: number[] = [];
    const sub = pullSource(endless(), demand).subscribe((i) => seen.push(i));
    for (let k = 0; k < 20; k++) await tick();
    expect(seen).toEqual([0, 1, 2]);
    expect(pulled).toBe(3);
    demand.release(2);
    for (let k = 0; k < 20; k++) await tick();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    sub.unsubscribe();
  });

  it("calls the iterator's return() on early unsubscribe and stops pulling", async () => {
    const demand = new Demand(5);
    let pulled = 0;
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    const firstTwo = await firstValueFrom(
      pullSource(endless(), demand).pipe(
        map((i) => {
          demand.release();
          return i;
        }),
        take(2),
        toArray(),
      ),
    );
    expect(firstTwo).toEqual([0, 1]);
    for (let k = 0; k < 5; k++) await tick();
    expect(closed).toBe(true);
    const after = pulled;
    for (let k = 0; k < 5; k++) await tick();
    expect(pulled).toBe(after);
    expect(demand.inFlight).toBe(0);
  });

  it("withdraws its wait and closes the iterator when unsubscribed while waiting for demand", async () => {
    const demand = new Demand(1);
    let closed = false;
    async function* items() {
      try {
        yield 1;
        yield 2;
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    const sub = pullSource(items(), demand).subscribe((i) => seen.push(i));
    for (let k = 0; k < 5; k++) await tick();
    expect(demand.waiting).toBe(1);
    sub.unsubscribe();
    for (let k = 0; k < 5; k++) await tick();
    expect(closed).toBe(true);
    expect(demand.waiting).toBe(0);
    demand.release();
    expect(demand.inFlight).toBe(0);
    expect(seen).toEqual([1]);
  });

  it("propagates the iterator's error as the stream's error, after the items before it", async () => {
    const demand = new Demand(4);
    async function* failing() {
      yield "a";
      yield "b";
      throw new Error("disk on fire");
    }
    const seen: string[] = [];
    const result = lastValueFrom(
      pullSource(failing(), demand).pipe(
        map((x) => {
          seen.push(x);
          demand.release();
        }),
      ),
    );
    await expect(result).rejects.toThrow("disk on fire");
    expect(seen).toEqual(["a", "b"]);
    expect(demand.inFlight).toBe(0);
  });

  it("completes when the iterator is drained, including an empty one", async () => {
    const demand = new Demand(2);
    async function* none() {}
    // A hand-written iterator without return(), as a library user might pass.
    const countTo = (n: number): AsyncIterable<number> => ({
      [Symbol.asyncIterator]() {
        let i = 0;
        return { next: async () => (i < n ? { value: ++i, done: false } : { value: undefined, done: true }) };
      },
    });
    await expect(lastValueFrom(pullSource(none(), demand), { defaultValue: "empty" })).resolves.toBe("empty");
    const all = await lastValueFrom(
      pullSource(countTo(3), demand).pipe(
        map((x) => {
          demand.release();
          return x;
        }),
        toArray(),
      ),
    );
    expect(all).toEqual([1, 2, 3]);
    expect(demand.inFlight).toBe(0);
  });
});
