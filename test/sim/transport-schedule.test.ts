import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SimOutput } from "../../src/sim/output.js";
import { sendOutput } from "../../src/sim/transport.js";

/** A response that records when each write happens; a write can take time (a busy machine). */
function recordingResponse(clock: { t: number }, slowWrite: number, slowBy: number) {
  const writes: number[] = [];
  const res = {
    destroyed: false,
    writeHead: () => res,
    flushHeaders: () => {},
    once: () => res,
    off: () => res,
    write: () => {
      writes.push(clock.t);
      if (writes.length === slowWrite) clock.t += slowBy;
      return true;
    },
    end: () => {
      writes.push(clock.t);
    },
  };
  return { res: res as unknown as ServerResponse, writes };
}

describe("sendOutput's streaming schedule", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("sends step k at ttft + k × itl from the request, so one late step does not delay the rest", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const clock = { t: 1000 };
    vi.spyOn(performance, "now").mockImplementation(() => clock.t);
    const tick = (ms: number) => {
      for (let i = 0; i < ms; i++) {
        clock.t += 1;
        vi.advanceTimersByTime(1);
      }
    };
    const out: SimOutput = { kind: "sse", events: ["a", "b", "c", "d", "e", "f"], steps: [0, 1, 2, 3, 4, 5], usage: { prompt: 1, completion: 6 } };
    // The second write takes 25 ms: steps 2 and 3 are then overdue and go at once; the rest on time.
    const { res, writes } = recordingResponse(clock, 2, 25);
    sendOutput(res, out, { ttftMs: 80, itlMs: 10 }, undefined, "r1");
    tick(200);
    expect(writes.map((w) => w - 1000)).toEqual([80, 90, 115, 115, 120, 130]);
  });
});
