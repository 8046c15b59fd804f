import { ReplyTooLargeError } from "../errors/reply-too-large-error.js";

/** 16 MiB: far above any real reply (a 32k-token answer is ~128 kB; echoed logprobs a few MB). */
export const DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;

/**
 * A request option (`fetchOptions: { [READS_OWN_BODY]: true }` in the SDK's request options, which hands
 * it on to fetch) saying the caller reads the body itself and counts its bytes against `ownBodyCap`:
 * a successful reply is then returned as it came, without the counting stream in front of it (one
 * ReadableStream less per reply). Replies with an error status are capped as always (the SDK reads them).
 */
export const READS_OWN_BODY: unique symbol = Symbol("streameval.readsOwnBody");

const ownCaps = new WeakMap<Response, number>();

/** The byte cap a caller that asked for `READS_OWN_BODY` must hold this reply to (undefined: none, or capped already). */
export function ownBodyCap(response: Response): number | undefined {
  return ownCaps.get(response);
}

/**
 * `fetch` whose response bodies error with a ReplyTooLargeError once they pass `maxBytes`, streamed
 * or not, so a server that never stops sending costs at most `maxBytes` per request. The SDK then
 * cancels the body, which closes the connection.
 */
export function cappedFetch(maxBytes: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (!res.body) return res;
    if (res.ok && (init as { [READS_OWN_BODY]?: boolean } | undefined)?.[READS_OWN_BODY]) {
      ownCaps.set(res, maxBytes);
      return res;
    }
    // A pull-through stream (one read below for each read above), not pipeThrough a TransformStream: that
    // costs a pipe loop and two more streams per reply, a few percent of a run's CPU at latency 0.
    const reader = res.body.getReader();
    let seen = 0;
    const counted = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const read = await reader.read();
          if (read.done) return controller.close();
          seen += read.value.byteLength;
          if (seen > maxBytes) {
            controller.error(new ReplyTooLargeError("bytes", maxBytes));
            await reader.cancel().catch(() => undefined);
          } else {
            controller.enqueue(read.value);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
