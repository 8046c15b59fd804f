import { describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { ConnectWatch } from "../../src/reliability/connect-watch.js";
import { OutageNotice } from "../../src/render/outage-notice.js";
import { flush, VirtualClock } from "./virtual-clock.js";

const refused = (model = "m", networkCode = "ECONNREFUSED"): EvalEvent => ({ type: "request-end", model, id: "a", attempt: 1, ok: false, errorType: "connection", networkCode });
const answered = (model = "m", status = 503): EvalEvent => ({ type: "request-end", model, id: "a", attempt: 1, ok: false, errorType: "server_error", status });

function watch(clock: VirtualClock) {
  const given: string[] = [];
  const w = new ConnectWatch({ timeoutMs: 30_000, clock, endpointOf: (m) => `http://127.0.0.1:9/${m}`, onGiveUp: (msg) => given.push(msg) });
  return { w, given };
}

describe("ConnectWatch (virtual clock)", () => {
  it("gives up on an endpoint that never answered, --connect-timeout after its first refusal, naming the URL and cause", async () => {
    const clock = new VirtualClock();
    const { w, given } = watch(clock);
    w.add(refused());
    await clock.advance(29_999);
    await flush();
    expect(given).toEqual([]);
    w.add(refused()); // later refusals do not restart the wait
    await clock.advance(1);
    await flush();
    expect(given).toEqual([expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:9\/m: connection refused \(ECONNREFUSED\); it has not answered once in 30s/)]);
  });

  it("waits out an endpoint that has answered once (any status), and one that answers within the timeout", async () => {
    const clock = new VirtualClock();
    const { w, given } = watch(clock);
    w.add(answered("a"));
    w.add(refused("a"));
    w.add(refused("b"));
    await clock.advance(10_000);
    w.add(answered("b", 200));
    await clock.advance(60_000);
    await flush();
    expect(given).toEqual([]);
  });

  it("ignores failures that are not 'nothing there' (a reset, a timeout), and stops its timers on dispose", async () => {
    const clock = new VirtualClock();
    const { w, given } = watch(clock);
    w.add(refused("m", "ECONNRESET"));
    w.add({ type: "request-end", model: "m", id: "a", attempt: 1, ok: false, errorType: "timeout" });
    w.add(refused("x"));
    w.dispose();
    await clock.advance(60_000);
    await flush();
    expect(given).toEqual([]);
    expect(() => new ConnectWatch({ timeoutMs: 0, clock, endpointOf: () => "", onGiveUp: () => {} })).toThrow("Expected `timeoutMs` to be a number > 0, got 0");
  });
});

describe("OutageNotice (virtual clock)", () => {
  it("says when a breaker opens, every 30 s while it stays open, and when the endpoint answers again", async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const notice = new OutageNotice({ write: (t) => lines.push(t), clock });
    notice.add({ type: "breaker-open", endpoint: "http://h/v1", trips: 1, models: ["m"] });
    expect(notice.waiting).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/^waiting: http:\/\/h\/v1 \(m\) stopped answering; .*since 00:00:00 UTC; Ctrl-C stops/)]);
    await clock.advance(29_000);
    expect(lines).toHaveLength(1);
    await clock.advance(1_000);
    await flush();
    await clock.advance(30_000);
    await flush();
    expect(lines.slice(1)).toEqual(["still waiting for http://h/v1 (not answering since 00:00:00 UTC)\n", "still waiting for http://h/v1 (not answering since 00:00:00 UTC)\n"]);
    notice.add({ type: "breaker-close", endpoint: "http://h/v1", open_ms: 61_000 });
    expect(notice.waiting).toBe(false);
    expect(lines.at(-1)).toBe("http://h/v1 answers again after 61s\n");
    await clock.advance(120_000);
    await flush();
    expect(lines).toHaveLength(4);
  });
});
