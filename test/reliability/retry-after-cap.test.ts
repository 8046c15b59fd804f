import { describe, expect, it } from "vitest";
import type { ModelCallError } from "../../src/errors/model-call-error.js";
import type { ChatRequest } from "../../src/work/model.js";
import { createDispatcher, type DispatcherOptions } from "../../src/reliability/dispatcher.js";
import { systemClock } from "../../src/clock.js";
import { httpError, ok, scriptedModel } from "./fake-model.js";
import { VirtualClock } from "./virtual-clock.js";

const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "2+2?" }], max_tokens: 16 };

function setup(script: Parameters<typeof scriptedModel>[2], options: Partial<DispatcherOptions> = {}) {
  const clock = new VirtualClock();
  const client = scriptedModel("m", () => clock.now(), script, false);
  const dispatcher = createDispatcher(client, { concurrency: 1, clock, random: () => 0.5, backoff: { baseMs: 500, capMs: 8000 }, ...options });
  return { clock, client, dispatcher };
}

async function settle<T>(clock: VirtualClock, p: Promise<T>): Promise<{ value?: T; error?: ModelCallError }> {
  let done = false;
  const result = p.then((value) => ({ value }), (error: ModelCallError) => ({ error }));
  void result.then(() => (done = true));
  await clock.runUntil(() => done);
  return result;
}

describe("a server's Retry-After is capped (issue 21, case 6)", () => {
  it("a wait beyond --max-retry-after (default 120 s) fails the sample at once, saying why; no retry", async () => {
    const { clock, client, dispatcher } = setup(() => httpError(429, { "retry-after": "1000000000" }));
    const { error } = await settle(clock, dispatcher.call(request, { id: "s", signal: new AbortController().signal }));
    expect(client.calls.map((c) => c.at)).toEqual([0]);
    expect(error?.info).toMatchObject({ type: "rate_limit", attempts: 1 });
    expect(error?.message).toMatch(/^the server asked to wait 1\.0e\+12 ms before retrying, more than --max-retry-after \(120s\)/);
  });

  it("a day-long wait is refused the same way; within the cap the retry waits the whole time asked", async () => {
    const day = setup(() => httpError(429, { "retry-after": "86400" }));
    expect((await settle(day.clock, day.dispatcher.call(request, { id: "s", signal: new AbortController().signal }))).error?.message).toContain("86400s");
    const { clock, client, dispatcher } = setup((n) => (n === 1 ? httpError(503, { "retry-after": "100" }) : ok()), { maxRetryAfterMs: 100_000 });
    const { value } = await settle(clock, dispatcher.call(request, { id: "s", signal: new AbortController().signal }));
    expect(value?.attempts).toBe(2);
    expect(client.calls.map((c) => c.at)).toEqual([0, 100_000]);
  });

  it("the system clock sleeps past setTimeout's 24.8-day limit instead of firing at once", async () => {
    const ac = new AbortController();
    let resolved = false;
    const sleeping = systemClock.sleep(2 ** 31 + 1000, ac.signal).then(() => (resolved = true), () => "aborted");
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    ac.abort();
    expect(await sleeping).toBe("aborted");
  });
});
