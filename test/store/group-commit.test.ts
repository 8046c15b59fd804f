import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/store/group-commit.js";

/** A commit whose completion the test controls. */
function controlled() {
  const batches: number[][] = [];
  const releases: Array<(error?: Error) => void> = [];
  const commit = (items: readonly number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push([...items]);
      releases.push((error) => (error ? reject(error) : resolve()));
    });
  return { batches, releases, commit };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("GroupCommit", () => {
  it("commits items added in one tick as one batch, and resolves them when it is written", async () => {
    const c = controlled();
    const g = new GroupCommit(c.commit);
    const done: number[] = [];
    for (const i of [1, 2, 3]) void g.add(i).then(() => done.push(i));
    await tick();
    expect(c.batches).toEqual([[1, 2, 3]]);
    expect(done).toEqual([]);
    c.releases[0]!();
    await tick();
    expect(done).toEqual([1, 2, 3]);
  });

  it("queues items that come while a batch is written, and writes them together next", async () => {
    const c = controlled();
    const g = new GroupCommit(c.commit);
    void g.add(1);
    await tick();
    void g.add(2);
    void g.add(3);
    await tick();
    expect(c.batches).toEqual([[1]]);
    expect(g.pending).toBe(2);
    c.releases[0]!();
    await tick();
    expect(c.batches).toEqual([[1], [2, 3]]);
    c.releases[1]!();
    await g.flush();
    expect(g.pending).toBe(0);
  });

  it("splits a long queue into batches of maxBatch", async () => {
    const batches: number[][] = [];
    const g = new GroupCommit<number>(async (items) => void batches.push([...items]), { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => g.add(i)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("flush resolves at once when idle, and after the last batch otherwise", async () => {
    const c = controlled();
    const g = new GroupCommit(c.commit);
    await g.flush();
    void g.add(1);
    let flushed = false;
    void g.flush().then(() => (flushed = true));
    await tick();
    expect(flushed).toBe(false);
    c.releases[0]!();
    await tick();
    expect(flushed).toBe(true);
  });

  it("a failed commit rejects its items, the queued ones and every later add and flush", async () => {
    const c = controlled();
    const g = new GroupCommit(c.commit);
    const first = g.add(1);
    await tick();
    const queued = g.add(2);
    c.releases[0]!(new Error("disk full"));
    await expect(first).rejects.toThrow("disk full");
    await expect(queued).rejects.toThrow("disk full");
    await expect(g.add(3)).rejects.toThrow("disk full");
    await expect(g.flush()).rejects.toThrow("disk full");
    expect(c.batches).toEqual([[1]]);
  });

  it("validates maxBatch", () => {
    expect(() => new GroupCommit(async () => {}, { maxBatch: 0 })).toThrow("Expected `maxBatch` to be an integer >= 1, got 0");
  });
});
