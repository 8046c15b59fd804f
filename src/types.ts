/**
 * The data that flows through an evaluation. Every stage takes and returns these plain objects;
 * nothing here holds behaviour, so they serialise to the store and the result line as they are.
 */

/** A dataset row, as parsed from one JSONL line. */
export type Doc = Record<string, unknown>;

/** Where a line came from: the file (or `<stdin>`) and its 1-based line number. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/** One valid input line. */
export interface Sample {
  /** The task's `id_field`, or a stable hash of the line's content when the field is absent. */
  readonly id: string;
  readonly doc: Doc;
  readonly at: SourcePosition;
  /** A `task` field in the line selects one of the run's tasks; otherwise the run's first task. */
  readonly task?: string;
  /**
   * A hash of the input line's text, when `parse` was asked for it (a run with a checkpoint): with the
   * task's `renderDigest` and the model it names what a stored record was made from (operators/record-source.ts).
   */
  readonly textHash?: string;
}

/** An input line that could not become a sample: set aside in the rejects file, never dropped. */
export interface Reject {
  readonly at: SourcePosition;
  /** One line: what is wrong, naming the key where there is one. */
  readonly reason: string;
  /** The line as read, cut to a readable length. */
  readonly raw: string;
}

/** What a source emits: samples, and the lines set aside on the way. */
export type SourceItem = { readonly kind: "sample"; readonly sample: Sample } | { readonly kind: "reject"; readonly reject: Reject };

/** Who speaks a chat message. */
export type Role = "system" | "user" | "assistant" | "tool";

/** A function call a model asked for, as OpenAI's API returns it. */
export interface ToolCall {
  readonly id: string;
  readonly type: "function";
  readonly function: { readonly name: string; readonly arguments: string };
}

/** How closely a vision model looks at an image (OpenAI's `detail`): it sets the image's token cost. */
export type ImageDetail = "auto" | "low" | "high";

/** A text part of a message's content. */
export interface TextPart {
  readonly type: "text";
  readonly text: string;
}

/** An image part, as OpenAI's API takes it: a URL or a `data:` URI. */
export interface ImageUrlPart {
  readonly type: "image_url";
  readonly image_url: { readonly url: string; readonly detail?: ImageDetail };
}

/** An audio part, as OpenAI's API takes it: base64 data and its format (`wav`, `mp3`). */
export interface InputAudioPart {
  readonly type: "input_audio";
  readonly input_audio: { readonly data: string; readonly format: string };
}

/**
 * A media item not read yet: the model client reads, encodes and sends it as `image_url` or
 * `input_audio` parts when it builds the HTTP body, so a request in flight through the pipeline
 * holds a reference (path, URL, digest), never the encoded bytes.
 */
export interface MediaPart {
  readonly type: "media";
  readonly media: MediaRef;
}

/** A part of a message's content (OpenAI's content parts, plus media read when the request is sent). */
export type ContentPart = TextPart | ImageUrlPart | InputAudioPart | MediaPart;

/**
 * A media item of a sample, as result lines and the store hold it: where it came from, its type,
 * size and digest — never its bytes. `source` is an absolute path, an http(s) URL, or `inline`
 * (a data URI or base64 bytes in the line, kept on the ref under MEDIA_DATA only while it travels).
 */
export interface MediaRef {
  readonly type: "image" | "audio" | "video";
  readonly source: string;
  /** MIME type (`image/png`, `audio/wav`, `video/mp4`), when known. */
  readonly media_type?: string;
  /** Hex sha256 of the item's bytes as given (before any downscaling); absent for a URL not fetched. */
  readonly sha256?: string;
  readonly bytes?: number;
  readonly width?: number;
  readonly height?: number;
  readonly detail?: ImageDetail;
  /** A video's length in seconds (its frames are spread evenly over it). */
  readonly duration_s?: number;
  /** A video: how many frames are sent (`--video-frames`). */
  readonly frames?: number;
  /** An image (or a video's frames) is downscaled to this longer side before it is sent (`--max-image-side`). */
  readonly max_side?: number;
}

/** How a task's media is sent: the images' `detail`, frames per video, and the longer side images are downscaled to. */
export interface MediaSettings {
  readonly detail?: ImageDetail;
  /** Frames sent per video (`--video-frames`, default 8). */
  readonly frames?: number;
  /** Longer side images are downscaled to before sending (`--max-image-side`). */
  readonly maxSide?: number;
}

/** Where an inline item's base64 data travels on its MediaRef: a symbol, so it never reaches JSON. */
export const MEDIA_DATA: unique symbol = Symbol("streameval.mediaData");

/** A message's content: text, or a list of parts (text, images, audio). */
export type MessageContent = string | readonly ContentPart[];

/** One chat message in OpenAI's shape. */
export interface ChatMessage {
  readonly role: Role;
  readonly content: MessageContent | null;
  readonly tool_calls?: readonly ToolCall[];
  readonly tool_call_id?: string;
  readonly name?: string;
}

/** Token counts. `estimated` marks counts made with a local tokenizer because the server sent none. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
  estimated?: boolean;
}

/** Measured on the wire, never guessed: a reply that was not streamed has `ttft_ms: null`. */
export interface Timing {
  e2e_ms: number;
  ttft_ms: number | null;
  tpot_ms: number | null;
  /** Output tokens / E2E of the attempt that answered; null when the output size is unknown. */
  output_tokens_per_s?: number | null;
  /** Waiting before the request went out: rate limit, breaker and concurrency, over all attempts. */
  queue_ms: number;
  attempts: number;
}

/** Why a sample failed, on its result line: a stable type, a message, and the attempts made. */
export interface ErrorInfo {
  /** A stable name: `rate_limit`, `timeout`, `bad_request`, `template`, `fatal` … */
  readonly type: string;
  readonly message: string;
  readonly attempts: number;
}

/**
 * A result line without the members that only show what was asked and answered (`input`, `response`,
 * `filtered`, `target`, `targets`) or when and from what (`fingerprint`, `ended_at`): everything a summary,
 * a cost ledger, progress or metrics read. A line resumed before rendering is folded from this part of its
 * stored JSON alone (done-record.ts), and the whole line is decoded only when something reads it.
 */
export interface ResultFold {
  id: string;
  task: string;
  model: string;
  repeat: number;
  status: "ok" | "error";
  scores?: Record<string, number>;
  /**
   * Per metric key, a sample's value when it is not a number: lm-eval's passthrough metrics (bleu,
   * chrf, ter) record the item [reference, prediction] that their corpus-level aggregation scores; a
   * metric aggregated in Python (`aggregation: !function`) records what the task's code returned, any JSON.
   */
  values?: Record<string, unknown>;
  /** Per metric key, the count a ratio aggregation divides by (words or bytes for perplexities). */
  weights?: Record<string, number>;
  usage?: Usage;
  cost_usd?: number | null;
  timing?: Timing;
  error?: ErrorInfo;
  /** The model that actually answered, when a fallback served the request. */
  served_by?: string;
  /** Code metrics: per filter, how its program ended in the sandbox (`result` as HF evaluate's code_eval words it). */
  execution?: Record<string, { passed: boolean; result: string }>;
  /** Extensions (transcripts, routes, per-turn scores …) live beside the fields above. */
  [extra: string]: unknown;
}

/** The members of a result line that a `ResultFold` leaves out. */
export const UNFOLDED_KEYS: ReadonlySet<string> = new Set(["input", "response", "filtered", "target", "targets", "fingerprint", "ended_at"]);

/**
 * One result line: one sample × model × repeat. See DESIGN.md "Result line".
 * Metric keys in `scores` follow lm-evaluation-harness: `metric,filter`.
 */
export interface ResultLine extends ResultFold {
  input: string;
  response?: string | null;
  filtered?: Record<string, string>;
  target?: string;
  /** The gold answers, when the task gives several (lm-eval's multiple_target; `target` shows them as a list). */
  targets?: string[];
}

/** The identity of one unit of work; also its key in the checkpoint store. */
export interface WorkKey {
  readonly task: string;
  readonly id: string;
  readonly model: string;
  readonly repeat: number;
}

/** A work key as a string: the checkpoint store's key for it. */
export const workKeyString = (k: WorkKey): string => JSON.stringify([k.task, k.id, k.model, k.repeat]);

/**
 * workKeyString in parts, for keys made in bulk: `workKeyHead(task) + JSON.stringify(id) + workKeyTail(model,
 * repeat)` is the same string, with the parts other than the id made once.
 */
export const workKeyHead = (task: string): string => `[${JSON.stringify(task)},`;
export const workKeyTail = (model: string, repeat: number): string => `,${JSON.stringify(model)},${JSON.stringify(repeat)}]`;

/** The budget's account: limits, spent and reserved so far, and whether it is used up. */
export interface BudgetState {
  readonly usd: { readonly limit: number; readonly spent: number; readonly reserved: number } | null;
  readonly tokens: { readonly limit: number; readonly spent: number; readonly reserved: number } | null;
  readonly exhausted: boolean;
}
