import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { startSim, type Fault, type SimRequest, type SimServer } from "../../src/sim/index.js";
import { clientFor } from "./helpers.js";

const messages = [{ role: "user" as const, content: "Question: how many?\nAnswer:" }];

async function withSim(faults: (req: SimRequest, n: number) => Fault | undefined, run: (sim: SimServer) => Promise<void>) {
  const sim = await startSim({ faults });
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

const failure = (p: Promise<unknown>) => p.then(
  () => {
    throw new Error("expected the request to fail");
  },
  (e: unknown) => e,
);

describe("fault injection as the openai SDK sees it", () => {
  it("a status fault gives an APIError with that status, headers and an OpenAI-shaped body", async () => {
    await withSim(
      (_req, n) => (n === 1 ? { status: 429, headers: { "retry-after": "7", "x-ratelimit-remaining-requests": "0" } } : undefined),
      async (sim) => {
        const client = clientFor(sim);
        const err = await failure(client.chat.completions.create({ model: "m", messages }));
        expect(err).toBeInstanceOf(OpenAI.RateLimitError);
        expect(err).toMatchObject({ status: 429, code: "rate_limit_exceeded", type: "requests" });
        const headers = (err as InstanceType<typeof OpenAI.APIError>).headers!;
        expect(headers.get("retry-after")).toBe("7");
        expect(headers.get("x-ratelimit-remaining-requests")).toBe("0");
        // the hook's n counts requests: the second one goes through
        expect((await client.chat.completions.create({ model: "m", messages })).choices).toHaveLength(1);
        expect(sim.stats()).toMatchObject({ requests: 2, faults: 1, byStatus: { "200": 1, "429": 1 } });
      },
    );
  });

  it("a status fault sends a given body as is, and 5xx defaults to server_error", async () => {
    await withSim(
      (req) =>
        req.path === "/v1/completions" ? { status: 400, body: { error: { message: "context too long", type: "invalid_request_error", code: "context_length_exceeded", param: null } } } : { status: 503 },
      async (sim) => {
        const client = clientFor(sim);
        await expect(client.completions.create({ model: "m", prompt: "x" })).rejects.toMatchObject({ status: 400, code: "context_length_exceeded", message: "400 context too long" });
        const err = await failure(client.chat.completions.create({ model: "m", messages }));
        expect(err).toBeInstanceOf(OpenAI.InternalServerError);
        expect(err).toMatchObject({ status: 503, type: "server_error" });
      },
    );
  });

  it("sees the parsed body, path and headers of the request", async () => {
    const seen: SimRequest[] = [];
    await withSim(
      (req) => {
        seen.push(req);
        return undefined;
      },
      async (sim) => {
        await clientFor(sim).chat.completions.create({ model: "m", messages });
      },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model: "m", messages } });
    expect(seen[0]!.headers.authorization).toBe("Bearer test");
  });

  it("a hang leaves the request unanswered: the SDK times out with APIConnectionTimeoutError", async () => {
    await withSim(
      () => ({ hang: true }),
      async (sim) => {
        const err = await failure(clientFor(sim, { timeout: 100 }).chat.completions.create({ model: "m", messages }));
        expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
        expect(sim.stats().faults).toBe(1);
      },
    );
  });

  it("close() ends hung requests at once", async () => {
    const sim = await startSim({ faults: () => ({ hang: true }) });
    const pending = failure(clientFor(sim, { timeout: 60_000 }).chat.completions.create({ model: "m", messages }));
    while (sim.stats().requests === 0) await new Promise((r) => setImmediate(r));
    await sim.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it("a dropped stream delivers its first chunks, then errors while iterating", async () => {
    await withSim(
      () => ({ dropAfterChunks: 3 }),
      async (sim) => {
        const stream = await clientFor(sim).chat.completions.create({ model: "m", messages, stream: true });
        const received: string[] = [];
        const err = await failure(
          (async () => {
            for await (const c of stream) received.push(c.choices[0]?.delta.content ?? "");
          })(),
        );
        expect(received).toHaveLength(3);
        expect(err).toBeInstanceOf(Error);
      },
    );
  });

  it("a stream dropped after 0 chunks errors before any chunk", async () => {
    await withSim(
      () => ({ dropAfterChunks: 0 }),
      async (sim) => {
        let count = 0;
        const err = await failure(
          (async () => {
            const stream = await clientFor(sim).chat.completions.create({ model: "m", messages, stream: true });
            for await (const _ of stream) count++;
          })(),
        );
        expect(count).toBe(0);
        expect(err).toBeInstanceOf(Error);
      },
    );
  });

  it("a dropped JSON reply fails the call", async () => {
    await withSim(
      () => ({ dropAfterChunks: 1 }),
      async (sim) => {
        const err = await failure(clientFor(sim).chat.completions.create({ model: "m", messages }));
        expect(err).toBeInstanceOf(Error);
      },
    );
  });

  it("a malformed stream errors on its bad chunk after delivering the good one", async () => {
    await withSim(
      () => ({ malformed: true }),
      async (sim) => {
        const stream = await clientFor(sim).chat.completions.create({ model: "m", messages, stream: true });
        let count = 0;
        const err = await failure(
          (async () => {
            for await (const _ of stream) count++;
          })(),
        );
        expect(count).toBe(1);
        expect(err).toBeInstanceOf(SyntaxError);
      },
    );
  });

  it("a malformed JSON reply fails to parse", async () => {
    await withSim(
      () => ({ malformed: true }),
      async (sim) => {
        const err = await failure(clientFor(sim).chat.completions.create({ model: "m", messages }));
        expect(err).toBeInstanceOf(SyntaxError);
      },
    );
  });

  it("a hook that throws or returns a non-fault gets a 500 saying so", async () => {
    await withSim(
      (_req, n) => {
        if (n === 1) throw new Error("boom");
        return { dropAfterChunks: -1 };
      },
      async (sim) => {
        const client = clientFor(sim);
        await expect(client.chat.completions.create({ model: "m", messages })).rejects.toMatchObject({ status: 500, message: "500 The fault hook threw: boom" });
        await expect(client.chat.completions.create({ model: "m", messages })).rejects.toMatchObject({
          status: 500,
          message: "500 Expected fault `dropAfterChunks` to be an integer >= 0, got -1",
        });
      },
    );
  });
});
