import { ReplyTooLargeError } from "../errors/reply-too-large-error.js";

/** 16 MiB: far above any real reply (a 32k-token answer is ~128 kB; echoed logprobs a few MB). */
export const DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;

/**
 * `fetch` whose response bodies error with a ReplyTooLargeError once they pass `maxBytes`, streamed
 * or not, so a server that never stops sending costs at most `maxBytes` per request. The SDK then
 * cancels the body, which closes the connection.
 */
export function cappedFetch(maxBytes: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (!res.body) return res;
    let seen = 0;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(new ReplyTooLargeError("bytes", maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
