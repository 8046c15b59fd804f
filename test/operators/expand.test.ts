import { lastValueFrom, of, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { expand, type PreparedSample } from "../../src/operators/expand.js";
import type { Task } from "../../src/work/task.js";

const task = (repeats: number) => ({ name: "t", repeats }) as unknown as Task;
const prepared = (id: string, repeats: number, done: () => void): PreparedSample => ({
  sample: { id, doc: {}, at: { file: "f", line: 1 } },
  task: task(repeats),
  prepared: { input: "q", target: "a" },
  done,
});

describe("expand", () => {
  it("validates its options when built", () => {
    expect(() => expand({ models: [] })).toThrow("Expected `models` to name at least one model, got none");
    expect(() => expand({ models: ["a"], repeats: 0 })).toThrow("Expected `repeats` to be an integer >= 1, got 0");
  });

  it("emits models × repeats items per sample, in order, and calls done after the last", async () => {
    let done = 0;
    const items = await lastValueFrom(of(prepared("s1", 2, () => done++)).pipe(expand({ models: ["a", "b"] }), toArray()));
    expect(items.map((w) => `${w.key.model}/${w.key.repeat}`)).toEqual(["a/0", "a/1", "b/0", "b/1"]);
    items.slice(0, 3).forEach((w) => w.done());
    expect(done).toBe(0);
    items[3]!.done();
    expect(done).toBe(1);
  });

  it("an explicit repeats overrides the task's", async () => {
    const items = await lastValueFrom(of(prepared("s1", 5, () => {})).pipe(expand({ models: ["a"], repeats: 1 }), toArray()));
    expect(items).toHaveLength(1);
  });
});
