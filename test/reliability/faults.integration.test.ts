import { afterEach, describe, expect, it, vi } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import type { ChatRequest } from "../../src/work/model.js";
import { createDispatchers, type DispatchTarget } from "../../src/reliability/create-dispatchers.js";
import { type Fault, type SimRequest, type SimServer, startSim } from "../../src/sim/index.js";

/**
 * The real openai SDK against the bundled simulator on loopback, with faults injected per request:
 * every sample must complete, with the reply a fault-free run gives, and the server must be treated
 * politely (Retry-After honoured, next to nothing sent during an outage).
 */
const N = 60;
const prompts = Array.from({ length: N }, (_, i) => `Question ${i}: what is ${i} + ${i}?\nAnswer:`);
const requestFor = (i: number, model = "sim"): ChatRequest => ({ model, messages: [{ role: "user", content: prompts[i]! }], max_tokens: 32 });
const sampleOf = (req: SimRequest): number => Number(/Question (\d+):/.exec(JSON.stringify(req.body))?.[1] ?? -1);

interface Arrival {
  readonly sample: number;
  readonly at: number;
  readonly fault?: Fault;
}

/** A sim whose hook applies `pick` and records each arrival (and what it was answered with). */
async function faultySim(pick: (n: number, at: number) => Fault | undefined): Promise<{ sim: SimServer; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const sim = await startSim({
    ttftMs: 2,
    itlMs: 1,
    faults: (req, n) => {
      const at = performance.now();
      const fault = pick(n, at);
      arrivals.push({ sample: sampleOf(req), at, ...(fault ? { fault } : {}) });
      return fault;
    },
  });
  return { sim, arrivals };
}

const FAST: DispatchTarget["reliability"] = {
  maxRetries: 12,
  backoff: { baseMs: 20, capMs: 200 },
  timeouts: { totalMs: 3000, ttftMs: 400, idleMs: 400 },
  breaker: { consecutiveFailures: 5, resetTimeoutMs: 150 },
};

async function runAll(sim: SimServer, reliability = FAST, concurrency = 8) {
  const events: EvalEvent[] = [];
  const client = openAIChat({ model: "sim", baseURL: sim.url, apiKey: "test" });
  const d = createDispatchers([{ client, concurrency, endpoint: sim.url, reliability }], { emit: (e) => events.push(e) });
  const dispatcher = d.dispatchers.get("sim")!;
  try {
    const outcomes = await Promise.all(prompts.map((_, i) => dispatcher.call(requestFor(i), { id: `s${i}`, signal: new AbortController().signal })));
    return { outcomes, events };
  } finally {
    d.dispose();
  }
}

describe("faults through the real SDK", () => {
  let sims: SimServer[] = [];
  afterEach(async () => {
    await Promise.all(sims.map((s) => s.close()));
    sims = [];
  });

  it("429 with Retry-After, 500, 503, hangs, dropped and malformed streams: every sample completes with the fault-free reply", async () => {
    const clean = await faultySim(() => undefined);
    const faulty = await faultySim((n): Fault | undefined => {
      if (n % 10 === 1) return { status: 429, headers: { "retry-after": "0.3" } };
      if (n % 10 === 3) return { status: 500 };
      if (n % 10 === 5) return { status: 503, headers: { "retry-after-ms": "50" } };
      if (n % 23 === 0) return { hang: true };
      if (n % 13 === 0) return { dropAfterChunks: 3 };
      if (n % 19 === 0) return { malformed: true };
      return undefined;
    });
    sims = [clean.sim, faulty.sim];
    const expected = (await runAll(clean.sim)).outcomes.map((o) => o.reply.text);
    const { outcomes, events } = await runAll(faulty.sim);

    expect(outcomes.map((o) => o.reply.text)).toEqual(expected);
    expect(outcomes.reduce((a, o) => a + o.attempts, 0)).toBe(faulty.arrivals.length);
    const causes = new Set(events.flatMap((e) => (e.type === "retry" ? [e.cause] : [])));
    expect([...causes].sort()).toEqual(["malformed", "rate_limit", "server_error", "stream", "timeout"]);

    // The server never sees a sample again sooner than its Retry-After allowed.
    for (const [i, a] of faulty.arrivals.entries()) {
      const f = a.fault as { status?: number; headers?: Record<string, string> } | undefined;
      const wait = f?.headers?.["retry-after"] ? Number(f.headers["retry-after"]) * 1000 : f?.headers?.["retry-after-ms"] ? Number(f.headers["retry-after-ms"]) : 0;
      if (!wait) continue;
      const next = faulty.arrivals.slice(i + 1).find((b) => b.sample === a.sample);
      expect(next, `sample ${a.sample} after a ${f?.status}`).toBeDefined();
      expect(next!.at - a.at).toBeGreaterThanOrEqual(wait - 1);
    }
    // Hung requests were aborted by the client, which closed their sockets.
    await vi.waitFor(() => expect(faulty.sim.stats().inFlight).toBe(0));
  });

  it("an outage: the breaker opens, only a handful of requests reach the dead endpoint, and every sample completes", async () => {
    let outageStart = Number.POSITIVE_INFINITY;
    let outageEnd = Number.POSITIVE_INFINITY;
    const faulty = await faultySim((n, at) => {
      if (n === 20) {
        outageStart = at;
        outageEnd = at + 600;
      }
      return at >= outageStart && at < outageEnd ? { status: 503 } : undefined;
    });
    sims = [faulty.sim];
    const { outcomes, events } = await runAll(faulty.sim);

    expect(outcomes).toHaveLength(N);
    expect(outcomes.every((o) => typeof o.reply.text === "string" && o.reply.text.length > 0)).toBe(true);
    const during = faulty.arrivals.filter((a) => a.at >= outageStart && a.at < outageEnd).length;
    // At most: the 8 in flight when it began, the 5 failures in a row that trip the breaker, one probe per 150 ms reset.
    expect(during).toBeLessThanOrEqual(20);
    expect(events.filter((e) => e.type === "breaker-open").length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)?.type).not.toBe("breaker-open");
    expect(events.some((e) => e.type === "breaker-close")).toBe(true);
  });
});
