import { describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { createDispatchers } from "../../src/reliability/create-dispatchers.js";
import { ok, scriptedModel } from "./fake-model.js";

const model = (name: string) => scriptedModel(name, () => 0, () => ok());

describe("createDispatchers", () => {
  it("builds one dispatcher per model (fallbacks included) and one breaker per endpoint", () => {
    const backup = { client: model("backup"), endpoint: "http://b.test/v1" };
    const d = createDispatchers([
      { client: model("a"), endpoint: "http://a.test/v1", fallback: backup },
      { client: model("a2"), endpoint: "http://a.test/v1", fallback: backup },
      backup,
      { client: model("local"), reliability: { breaker: false } },
    ]);
    expect([...d.dispatchers.keys()].sort()).toEqual(["a", "a2", "backup", "local"]);
    expect([...d.breakers.keys()].sort()).toEqual(["http://a.test/v1", "http://b.test/v1"]);
    d.dispose();
  });

  it("tags breaker events with the models behind the endpoint", async () => {
    const events: EvalEvent[] = [];
    const d = createDispatchers(
      [
        { client: model("a"), endpoint: "http://a.test/v1" },
        { client: model("b"), endpoint: "http://a.test/v1" },
      ],
      { emit: (e) => events.push(e) },
    );
    const breaker = d.breakers.get("http://a.test/v1")!;
    for (let i = 0; i < 10; i++) await breaker.fire(() => Promise.reject(new TypeError("fetch failed"))).catch(() => {});
    expect(events).toContainEqual({ type: "breaker-open", endpoint: "http://a.test/v1", trips: 1, models: ["a", "b"] });
    d.dispose();
  });

  it("rejects a fallback cycle", () => {
    const a: { client: ReturnType<typeof model>; fallback?: unknown } = { client: model("a") };
    const b = { client: model("b"), fallback: a };
    a.fallback = b;
    expect(() => createDispatchers([a as never])).toThrow("Expected fallbacks without a cycle, got a -> b -> a");
  });
});
