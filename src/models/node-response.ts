import { Readable } from "node:stream";

/** The Node stream of a reply from `httpFetch`, for a reader that reads the body itself (undefined for any other reply). */
export function nodeBodyOf(response: Response): Readable | undefined {
  return response instanceof NodeResponse ? response.takeNodeBody() : undefined;
}

/** The abort's reason, as fetch rejects with it (an AbortError unless the caller gave an Error of its own). */
export function reasonOf(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException("This operation was aborted", "AbortError");
}

/**
 * What a reader of a reply's body reports when reading it failed, as fetch's body would: the abort's reason
 * after an abort, else a TypeError("terminated") with the stream's error (a connection that broke, a reply
 * that does not decode) as its cause.
 */
export function bodyReadError(response: Response, error: unknown): Error {
  const signal = response instanceof NodeResponse ? response.signal : undefined;
  if (signal?.aborted) return reasonOf(signal);
  return error instanceof TypeError ? error : new TypeError("terminated", { cause: error });
}

/** The Response members the SDK reads (status, headers, text, json, body), over a Node stream: `httpFetch`'s reply. */
export class NodeResponse {
  readonly type = "basic";
  redirected = false;
  #body: Readable | undefined;
  #web: ReadableStream<Uint8Array> | undefined;
  #used = false;
  readonly #empty: boolean;
  #headers: Headers | undefined;
  readonly #raw: string[];

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    raw: string[],
    body: Readable | undefined,
    /** The request's signal: an abort ends the body with its reason. */
    readonly signal: AbortSignal | undefined,
  ) {
    this.#raw = raw;
    this.#body = body;
    this.#empty = body === undefined;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      this.#headers = new Headers();
      for (let i = 0; i + 1 < this.#raw.length; i += 2) {
        try {
          this.#headers.append(this.#raw[i] as string, this.#raw[i + 1] as string);
        } catch {
          // A value fetch's Headers refuses (a control character): left out.
        }
      }
    }
    return this.#headers;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#web?.locked ?? false);
  }

  /**
   * The body as a web stream. It takes the Node stream only when first read: the SDK touches `body` (to log it)
   * before a reader of its own asks for the Node stream.
   */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#empty) return null;
    if (this.#web === undefined) {
      let source: ReadableStreamDefaultReader<Uint8Array> | undefined;
      this.#web = new ReadableStream<Uint8Array>(
        {
          pull: async (controller) => {
            if (source === undefined) {
              const node = this.takeNodeBody();
              if (node === undefined) return controller.close();
              source = (Readable.toWeb(node) as ReadableStream<Uint8Array>).getReader();
            }
            const read = await source.read().catch((error: unknown) => Promise.reject(bodyReadError(this as unknown as Response, error)));
            if (read.done) controller.close();
            else controller.enqueue(read.value);
          },
          cancel: async (reason) => {
            if (source) await source.cancel(reason);
            else this.takeNodeBody()?.destroy();
          },
        },
        { highWaterMark: 0 },
      );
    }
    return this.#web;
  }

  /** The Node stream, once (undefined once the body is taken): whoever takes it reads the body. */
  takeNodeBody(): Readable | undefined {
    const body = this.#body;
    this.#body = undefined;
    if (body) this.#used = true;
    return body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.#bytes());
  }

  async text(): Promise<string> {
    return (await this.#bytes()).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get("content-type") ?? "" });
  }

  async #bytes(): Promise<Buffer> {
    if (this.#web?.locked) throw new TypeError("Body is unusable: Body has already been read");
    const node = this.takeNodeBody();
    if (node === undefined) {
      if (this.#empty) return Buffer.alloc(0);
      throw new TypeError("Body is unusable: Body has already been read");
    }
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of node) chunks.push(chunk as Buffer);
    } catch (error) {
      throw bodyReadError(this as unknown as Response, error);
    }
    return Buffer.concat(chunks);
  }
}
