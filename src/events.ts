import type { BudgetState, Reject, ResultFold, ResultLine, SourcePosition, Usage, WorkKey } from "./types.js";

/**
 * What happens during a run, as a stream of typed events. Stages emit them; progress, the summary,
 * metrics endpoints and the store fold them. No stage knows who listens.
 */
export type EvalEvent =
  /** A finished sample × model × repeat (ok or error). */
  /**
   * `json`: on a line reused from the checkpoint before rendering, its JSON as stored (written out as it is, with
   * `resumed`); `fold`: then also what a summary reads of it (the line without its prompt, reply and target:
   * `ResultFold`), decoded from the stored JSON without the rest. Such an event's `line` is decoded when first
   * read. Folding many results, read `foldOf(event)`.
   */
  | ResultEvent
  /** A stored result not reused because its request or target changed (see `workFingerprint`): sent again. */
  | { readonly type: "record-changed"; readonly key: WorkKey }
  /** An input line set aside (bad JSON, missing field …). */
  | { readonly type: "reject"; readonly reject: Reject }
  /** An id seen before in this input; the later line is evaluated too, and reported here. */
  | {
      readonly type: "duplicate-id";
      readonly id: string;
      readonly at: SourcePosition;
      readonly first: SourcePosition;
      /** The id the later line's results carry, when `detectDuplicates` gave it one of its own. */
      readonly as?: string;
    }
  /** A sample read from the source (before expansion over models and repeats). */
  | { readonly type: "sample-read"; readonly id: string; readonly at: SourcePosition }
  | { readonly type: "request-start"; readonly model: string; readonly id: string; readonly attempt: number }
  | {
      readonly type: "request-end";
      readonly model: string;
      readonly id: string;
      readonly attempt: number;
      readonly ok: boolean;
      readonly errorType?: string;
      /** The HTTP status of the reply (200 when ok), when there was one (absent for timeouts, resets …). */
      readonly status?: number;
      readonly usage?: Usage | null;
      readonly ttft_ms?: number | null;
      readonly e2e_ms?: number;
      /** Why the call was made: `eval` (default) or a helper such as `judge`; helpers' costs are kept apart. */
      readonly purpose?: string;
      /** For a connection failure: the network error code (`ECONNREFUSED`, `ENOTFOUND` …). */
      readonly networkCode?: string;
    }
  /** The run's budget as it ended (runs with `--budget-usd` or `--max-tokens-total`). */
  | { readonly type: "budget"; readonly state: BudgetState }
  /** An attempt failed and will be tried again after `delay_ms` (backoff, or longer if the server asked). */
  | {
      readonly type: "retry";
      readonly model: string;
      readonly id: string;
      /** The attempt that failed. */
      readonly attempt: number;
      /** The failure's type: `rate_limit`, `server_error`, `timeout`, `stream` … */
      readonly cause: string;
      readonly delay_ms: number;
    }
  /** The endpoint's circuit breaker opened: no request goes out to it; samples wait. `models`: those behind it. */
  | { readonly type: "breaker-open"; readonly endpoint: string; readonly trips: number; readonly models?: readonly string[] }
  /** One probe request may go out. */
  | { readonly type: "breaker-half-open"; readonly endpoint: string; readonly models?: readonly string[] }
  /** The probe succeeded: requests go out again, ramping up. `open_ms`: how long it was not closed. */
  | { readonly type: "breaker-close"; readonly endpoint: string; readonly open_ms: number; readonly models?: readonly string[] }
  /** A model's in-flight limit changed (AIMD on 429 storms, slow start after an outage). */
  | { readonly type: "concurrency-change"; readonly model: string; readonly limit: number; readonly reason: "decrease" | "increase" | "restart" }
  /** A sample is sent to its model's fallback (configured in the models YAML). */
  | { readonly type: "fallback"; readonly model: string; readonly id: string; readonly to: string; readonly reason: "retries_exhausted" | "breaker_open" }
  /** Something the user should read once (unknown price, config drift …). */
  | { readonly type: "warning"; readonly message: string }
  /** The run stops dispatching: budget, interrupt or fatal API error. */
  | { readonly type: "stopping"; readonly reason: "budget" | "interrupted" | "fatal"; readonly message: string };

/** The `type` of each run event. */
export type EventType = EvalEvent["type"];
/** The run event of one type. */
export type EventOf<T extends EventType> = Extract<EvalEvent, { type: T }>;

/** A finished sample × model × repeat (ok or error): see `EvalEvent`. */
export interface ResultEvent {
  readonly type: "result";
  readonly line: ResultLine;
  readonly resumed?: boolean;
  readonly json?: string;
  readonly fold?: ResultFold;
  /** The sequence number the store keeps the line under (a line recorded, or resumed, in store layout 2). */
  readonly seq?: number;
  /**
   * On a resumed line a summary snapshot may cover (`EvaluateOptions.deferFoldsUpTo`): its `fold` is decoded only
   * when first read; a fold that knows of the snapshot (runEvaluation) leaves it to the end (summary-snapshot.ts).
   */
  readonly deferred?: true;
}

/** What a summary, a ledger or progress read of a result: its `fold` where it has one, else its line. */
export const foldOf = (event: ResultEvent): ResultFold => event.fold ?? event.line;

/**
 * The event of a line resumed before rendering: its stored JSON and its fold, and its `line` (an own,
 * enumerable property, as on any event) decoded from the JSON when first read, unless given.
 */
export function resumedResult(json: string, fold: ResultFold, line?: ResultLine, seq?: number, stored?: StoredJson): ResultEvent {
  const event = { type: "result", resumed: true, json, fold, [DECODED]: line, [STORED]: stored, ...(seq === undefined ? {} : { seq }) };
  // One getter shared by every event, defined on each: an object literal's own getter makes a new closure and
  // defines it on every event, about ten times the cost (3 µs an event: 0.3 s of a 100,000-line resume).
  return Object.defineProperty(event, "line", LINE) as unknown as ResultEvent;
}

/**
 * The event of a line resumed before rendering whose fold a summary snapshot may cover (see `ResultEvent.deferred`),
 * from its record as stored: its fold's JSON (the line's JSON where it has none) is read when `fold` first is.
 */
export function deferredResult(record: StoredRecordJson, seq: number): ResultEvent {
  const event = { type: "result", resumed: true, json: record.json, seq, deferred: true, [DECODED]: undefined, [FOLDED]: undefined, [STORED]: record };
  Object.defineProperty(event, "fold", FOLD);
  return Object.defineProperty(event, "line", LINE) as unknown as ResultEvent;
}

/** Where a resumed line's JSON lies in the text the store gave: `json` is `{` and then `text.slice(at)` (done-record.ts). */
export interface StoredJson {
  readonly text?: string;
  readonly at?: number;
}

/** Where a resumed event keeps its `StoredJson`, when the store gave one. */
const STORED = Symbol("stored JSON");

/** The text a resumed event's JSON was cut from and where, when known: its output is written from there (result-output.ts). */
export const storedJsonOf = (event: ResultEvent): StoredJson | undefined => (event as { [STORED]?: StoredJson })[STORED];

/** A record as the store gives it (StoredRecord): its line's JSON, its fold's JSON when it says where that lies. */
export interface StoredRecordJson extends StoredJson {
  readonly json: string;
  readonly fold?: string;
}

/** Where a deferred event keeps its fold once decoded (its record is under STORED). */
const FOLDED = Symbol("fold");
const FOLD: PropertyDescriptor = {
  get(this: { json: string; [FOLDED]: ResultFold | undefined; [STORED]: StoredRecordJson }): ResultFold {
    return (this[FOLDED] ??= JSON.parse(this[STORED].fold ?? this.json) as ResultFold);
  },
  enumerable: true,
  configurable: true,
};

/** Where a resumed event keeps its line once decoded. */
const DECODED = Symbol("decoded line");
const LINE: PropertyDescriptor = {
  get(this: { json: string; [DECODED]: ResultLine | undefined }): ResultLine {
    return (this[DECODED] ??= JSON.parse(this.json) as ResultLine);
  },
  enumerable: true,
  configurable: true,
};
