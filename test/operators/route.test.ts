import { map, type OperatorFunction } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { route } from "../../src/operators/route.js";
import type { Outcome, WorkItem } from "../../src/work/work-item.js";

const work = (id: string, outputType: string): WorkItem =>
  ({
    key: { task: "t", id, model: "m", repeat: 0 },
    sample: { id, doc: {}, at: { file: "f", line: 1 } },
    task: { name: "t", outputType },
    prepared: { input: `in-${id}`, target: "" },
    done: () => {},
  }) as unknown as WorkItem;

const tagging = (tag: string): OperatorFunction<WorkItem, Outcome> =>
  map((w) => ({ kind: "done", work: w, line: { id: w.key.id, task: "t", model: "m", repeat: 0, status: "ok", input: tag } }));

describe("route", () => {
  it("sends each item to its output type's pipeline, keeping time order", () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const items = { a: work("1", "x"), b: work("2", "y"), c: work("3", "x") };
      const source = cold("a-b-c|", items);
      const out = source.pipe(route({ x: tagging("X"), y: tagging("Y") }), map((o) => `${o.line.id}${o.line.input}`));
      expectObservable(out).toBe("a-b-c|", { a: "1X", b: "2Y", c: "3X" });
    });
  });

  it("an output type with no pipeline gives an error outcome, and the stream goes on", () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const source = cold("a-b|", { a: work("1", "nope"), b: work("2", "x") });
      const out = source.pipe(route({ x: tagging("X") }), map((o) => `${o.line.status}:${o.line.error?.type ?? ""}`));
      expectObservable(out).toBe("a-b|", { a: "error:no_pipeline", b: "ok:" });
    });
  });

  it("propagates a pipeline's error and empty input completes", () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      expectObservable(cold<WorkItem>("|").pipe(route({}))).toBe("|");
      const failing: OperatorFunction<WorkItem, Outcome> = map(() => {
        throw new Error("boom");
      });
      expectObservable(cold("a|", { a: work("1", "x") }).pipe(route({ x: failing }))).toBe("#", undefined, new Error("boom"));
    });
  });
});
