import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { sseJson, sseJsonBatches } from "../../src/models/sse-json.js";
import { isReplyTooLargeError } from "../../src/errors/reply-too-large-error.js";

/** A Response whose body arrives in exactly these pieces (strings, encoded as UTF-8). */
function reply(pieces: readonly (string | Uint8Array)[], onCancel?: () => void): Response {
  const queue = [...pieces];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(typeof next === "string" ? new TextEncoder().encode(next) : next);
    },
    cancel: () => onCancel?.(),
  });
  return new Response(body, { headers: { "x-request-id": "r1" } });
}

const all = async (response: Response) => {
  const out: unknown[] = [];
  for await (const e of sseJson(response)) out.push(e);
  return out;
};

describe("sseJson", () => {
  it("yields each event's JSON, whatever the line endings and however the bytes are split", async () => {
    const text = 'data: {"a":1}\n\n: a comment\r\ndata: {"b":\r\ndata: "é"}\r\n\r\nevent: message\rdata:{"c":3}\r\r';
    const bytes = new TextEncoder().encode(text);
    // Every split point, the two bytes of "é" and the \r\n pairs cut apart included.
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await all(reply([bytes.slice(0, cut), bytes.slice(cut)]))).toEqual([{ a: 1 }, { b: "é" }, { c: 3 }]);
    }
    expect(await all(reply([...text]))).toEqual([{ a: 1 }, { b: "é" }, { c: 3 }]);
  });

  it("stops at [DONE] but reads the body to its end, and drops an event without its closing blank line", async () => {
    let cancelled = false;
    expect(await all(reply(['data: {"a":1}\n\ndata: [DONE]\n\ndata: {"late":1}\n\n'], () => (cancelled = true)))).toEqual([{ a: 1 }]);
    expect(cancelled).toBe(false);
    expect(await all(reply(['data: {"a":1}\n\ndata: {"b":2}\n']))).toEqual([{ a: 1 }]);
  });

  it("throws the SDK's APIError for an event carrying an error, and cancels the body", async () => {
    let cancelled = false;
    const error = await all(reply(['data: {"error":{"message":"overloaded","type":"server_error"}}\n\n', 'data: {"a":1}\n\n'], () => (cancelled = true))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("overloaded");
    expect(cancelled).toBe(true);
  });

  it("cancels the body when the reader leaves early", async () => {
    let cancelled = false;
    for await (const _ of sseJson(reply(['data: {"a":1}\n\n', 'data: {"b":2}\n\n'], () => (cancelled = true)))) break;
    expect(cancelled).toBe(true);
  });

  it("rethrows a body cut short, and ends quietly on an abort, as the SDK's stream does", async () => {
    const failing = (error: Error) => {
      let pulls = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('data: {"a":1}\n\n'));
            else controller.error(error);
          },
        }),
      );
    };
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const e of sseJson(failing(new TypeError("terminated")))) seen.push(e);
      })(),
    ).rejects.toThrow("terminated");
    expect(seen).toEqual([{ a: 1 }]);
    expect(await all(failing(Object.assign(new Error("aborted"), { name: "AbortError" })))).toEqual([{ a: 1 }]);
  });

  it("hands over one array per network read, and throws an error event after the events before it", async () => {
    const batches: unknown[] = [];
    for await (const b of sseJsonBatches(reply(['data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c"', ':3}\n\n', ": only a comment\n\n", "data: [DONE]\n\n"]))) batches.push(b);
    expect(batches).toEqual([[{ a: 1 }, { b: 2 }], [{ c: 3 }]]);
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const b of sseJsonBatches(reply(['data: {"a":1}\n\ndata: {"error":{"message":"overloaded"}}\n\ndata: {"b":2}\n\n']))) got.push(b);
    })().catch((e: unknown) => e);
    expect(got).toEqual([[{ a: 1 }]]);
    expect(error).toBeInstanceOf(APIError);
  });

  it("holds the body to maxBytes: past it, a ReplyTooLargeError and the body cancelled", async () => {
    let cancelled = false;
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const b of sseJsonBatches(reply(['data: {"a":1}\n\n', 'data: {"b":2}\n\n', 'data: {"c":3}\n\n'], () => (cancelled = true)), 20)) got.push(b);
    })().catch((e: unknown) => e);
    expect(got).toEqual([[{ a: 1 }]]);
    expect(isReplyTooLargeError(error)).toBe(true);
    expect(cancelled).toBe(true);
  });
});
