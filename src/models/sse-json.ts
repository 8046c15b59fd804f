import { openaiSdk } from "../errors/openai-sdk.js";
import { ReplyTooLargeError } from "../errors/reply-too-large-error.js";
import { bodyReadError, nodeBodyOf } from "./node-response.js";

/**
 * The JSON events of a server-sent-events reply (an OpenAI-compatible stream), read straight from its
 * body: what the SDK's `Stream` yields, at a fraction of its cost. The SDK copies the bytes it holds into
 * a new array for each network chunk and again for each event, decodes each event's lines apart and
 * goes through three async generators a chunk; this decodes each chunk once and splits the text. At
 * latency 0 the SDK's parsing was the largest item of a run's CPU profile after the request itself.
 *
 * Same semantics as the SDK's (openai/core/streaming.js): an event is dispatched at a blank line, its
 * `data:` lines joined with "\n"; `[DONE]` ends it (the rest of the body is read and ignored); an event whose
 * data has `error` throws the SDK's `APIError`; a body cut short throws what reading it threw (a
 * `TypeError` from fetch); an abort (`AbortError`) ends the events quietly, as the SDK's does. Leaving
 * the loop early (break, throw) cancels the body, so the connection is released.
 */
export async function* sseJson(response: Response, maxBytes?: number): AsyncGenerator<Record<string, unknown>> {
  for await (const batch of sseJsonBatches(response, maxBytes)) yield* batch;
}

/**
 * The same events as `sseJson`, as one array per network read: a consumer loops over each array
 * itself, so a reply that arrives in one read (most do) costs one step of the async generator instead
 * of one per event. An event carrying an error throws after the events before it are handed over.
 * `maxBytes`: a body that passes it throws a ReplyTooLargeError (and is cancelled), as `cappedFetch` does.
 */
export async function* sseJsonBatches(response: Response, maxBytes = Number.POSITIVE_INFINITY): AsyncGenerator<Record<string, unknown>[]> {
  // A reply of httpFetch is read from its Node stream (no web stream in between); any other through its body.
  const node = nodeBodyOf(response);
  const reader = node ? undefined : response.body?.getReader();
  if (!node && !reader) throw new TypeError("the streamed reply has no body");
  const chunks = node?.[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  let text = "";
  let event: string | null = null;
  // The event's data lines: most events have one, held as a string; more are joined with "\n".
  let data: string | null = null;
  let done = false;
  let finished = false;
  let seen = 0;
  try {
    for (let last = false; !last; ) {
      const read = chunks ? ((await chunks.next().catch((error: unknown) => Promise.reject(bodyReadError(response, error)))) as ReadableStreamReadResult<Uint8Array>) : await reader!.read();
      if (read.done) {
        // The end: a \r left last ends its line after all. Lines left without their line ending are
        // dropped, as the SDK's line decoder does (they dispatch no event).
        last = true;
        text += decoder.decode();
        if (text.endsWith("\r")) text += "\n";
      } else {
        seen += read.value.byteLength;
        if (seen > maxBytes) throw new ReplyTooLargeError("bytes", maxBytes);
        text += decoder.decode(read.value, { stream: true });
      }
      const batch: Record<string, unknown>[] = [];
      let failure: Error | undefined;
      let start = 0;
      // The next \n and \r at or after `start` (-1: none left in the text).
      let lf = text.indexOf("\n");
      let cr = text.indexOf("\r");
      while (failure === undefined) {
        if (lf !== -1 && lf < start) lf = text.indexOf("\n", start);
        if (cr !== -1 && cr < start) cr = text.indexOf("\r", start);
        // A line ends at \n, \r\n or \r; a \r at the very end may be the first half of a \r\n still to come.
        const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(lf, cr);
        if (end === -1 || (end === cr && end + 1 >= text.length)) break;
        const line = text.slice(start, end);
        start = end + (end === cr && text.charCodeAt(end + 1) === 10 ? 2 : 1);
        if (line === "") {
          if (event === null && data === null) continue;
          const payload = data ?? "";
          const kind = event;
          event = null;
          data = null;
          // After [DONE] the rest of the body is read but not parsed (the connection is reused once it is read).
          if (finished) continue;
          if (payload.startsWith("[DONE]")) {
            finished = true;
            continue;
          }
          const parsed = JSON.parse(payload) as Record<string, unknown> | null;
          if (kind === null || !kind.startsWith("thread.")) {
            if (parsed && parsed.error) failure = new (openaiSdk().APIError)(undefined, parsed.error, undefined, response.headers);
          } else if (kind === "error") {
            failure = new (openaiSdk().APIError)(undefined, (parsed as { error?: object } | null)?.error, (parsed as { message?: string } | null)?.message, undefined);
          }
          if (parsed !== null && failure === undefined) batch.push(parsed);
          continue;
        }
        if (line.charCodeAt(0) === 58) continue; // ":" a comment
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.charCodeAt(0) === 32) value = value.slice(1);
        if (field === "data") data = data === null ? value : `${data}\n${value}`;
        else if (field === "event") event = value;
      }
      text = start === 0 ? text : text.slice(start);
      if (batch.length > 0) yield batch;
      if (failure !== undefined) throw failure;
    }
    done = true;
  } catch (error) {
    if (isAbortError(error)) {
      done = true;
      return;
    }
    throw error;
  } finally {
    if (node) {
      if (!done) node.destroy();
    } else {
      if (!done) await reader!.cancel().catch(() => undefined);
      reader!.releaseLock();
    }
  }
}

function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}
