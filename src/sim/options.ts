import { ConfigError } from "../errors/index.js";
import type { FaultHook, SimRequest } from "./faults.js";
import type { JudgeStyle } from "./judge.js";

/** The forms in which the sim returns a reasoning model's thinking (SimOptions.reasoning). */
export const SIM_REASONING = ["none", "think", "think-close", "field"] as const;
export type SimReasoning = (typeof SIM_REASONING)[number];

/**
 * The correct answers the sim knows. A Map's keys are question texts or sample ids (see `startSim` for
 * how a request is matched); a function gets the prompt text and the request and returns the answer.
 */
export type AnswerKey = ReadonlyMap<string, string> | ((prompt: string, request: SimRequest) => string | undefined);

/** Options of `startSim`. Every field is optional; the defaults suit a quick dry run. */
export interface SimOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Loopback address to listen on: 127.0.0.1 (default), another 127.x.y.z, ::1 or localhost. */
  readonly host?: string;
  /** Delay of each whole response in ms (default 0). Ignored when `ttftMs` or `itlMs` is given. */
  readonly latencyMs?: number;
  /** Delay before the first token of a reply (default 0 when `itlMs` is given). */
  readonly ttftMs?: number;
  /** Delay between streamed chunks (default 0 when `ttftMs` is given). */
  readonly itlMs?: number;
  /** Probability (0..1) that a prompt with a known answer is answered correctly (default 0.8). */
  readonly accuracy?: number;
  readonly answerKey?: AnswerKey;
  /** A JSONL file whose lines give `question` (and `id`) and the answer in `answerField`. */
  readonly answerKeyFile?: string;
  /** Answer field of `answerKeyFile` lines (default `target`). */
  readonly answerField?: string;
  /** Seed of every deterministic choice (default 0): same seed, same prompt, same reply. */
  readonly seed?: number;
  /**
   * `reasoning` (default): a short reasoning ending in `#### <answer>`. `answer`: the answer alone, as
   * it is (a code completion for humaneval), or a wrong one.
   */
  readonly replyFormat?: "reasoning" | "answer";
  /**
   * How a reasoning model's thinking comes back (default `none`): `think` before the answer in
   * `<think>…</think>`; `think-close` with only the closing tag (the opening one was in the chat
   * template); `field` apart, as `reasoning_content` (DeepSeek, vLLM).
   */
  readonly reasoning?: SimReasoning;
  /** How the simulated judge words verdicts (default `plain`; see `simJudgeReply`): `plain`, `tricky` or `none`. */
  readonly judgeStyle?: JudgeStyle;
  /** Share (0..1) of undecided pairwise comparisons the judge gives to the first answer shown (default 0). */
  readonly judgePositionBias?: number;
  /** Report token usage in replies (default true); false simulates a server that reports none. */
  readonly usage?: boolean;
  readonly faults?: FaultHook;
  /** Known model names: requests for others get 404 `model_not_found`. Default: any model is accepted. */
  readonly models?: readonly string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`, else 401. */
  readonly apiKey?: string;
}

/** The options after validation, with defaults filled in and timing resolved. */
export interface ResolvedSimOptions {
  readonly port: number;
  readonly host: string;
  /** Delay before the first streamed event (the whole reply when `itlMs` is 0). */
  readonly ttftMs: number;
  /** Delay between streamed token events. */
  readonly itlMs: number;
  readonly accuracy: number;
  readonly answerKey: AnswerKey | undefined;
  readonly answerKeyFile: string | undefined;
  readonly answerField: string;
  readonly seed: number;
  readonly replyFormat: "reasoning" | "answer";
  readonly reasoning: SimReasoning;
  readonly judgeStyle: JudgeStyle;
  readonly judgePositionBias: number;
  readonly usage: boolean;
  readonly faults: FaultHook | undefined;
  readonly models: readonly string[] | undefined;
  readonly apiKey: string | undefined;
}

const KNOWN = [
  "port", "host", "latencyMs", "ttftMs", "itlMs", "accuracy", "answerKey", "answerKeyFile", "answerField",
  "seed", "replyFormat", "reasoning", "judgeStyle", "judgePositionBias", "usage", "faults", "models", "apiKey",
] as const;

/** How an option is named in messages: its own name, or a CLI flag (see `parseSimFlags`). */
export type OptionLabel = (key: (typeof KNOWN)[number]) => string;
const asOption: OptionLabel = (key) => `\`${key}\``;

/**
 * Checks `options` and fills in defaults. Throws a ConfigError with an exact message for the first
 * problem, e.g. ``Expected `accuracy` to be a number from 0 to 1, got 1.5``. The API key is never
 * echoed in a message.
 */
export function validateSimOptions(options: SimOptions, label: OptionLabel = asOption): ResolvedSimOptions {
  if (typeof options !== "object" || options === null) throw new ConfigError(`Expected sim options to be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new ConfigError(`Unknown sim option \`${key}\` (known: ${KNOWN.join(", ")})`);
  }
  const o = options;
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(label("port"), "an integer from 0 to 65535", port);
  const host = o.host ?? "127.0.0.1";
  if (typeof host !== "string" || !isLoopback(host)) fail(label("host"), "a loopback address (127.0.0.1, ::1 or localhost)", host);
  const latencyMs = delay(o.latencyMs, label("latencyMs"));
  const ttft = o.ttftMs === undefined ? undefined : delay(o.ttftMs, label("ttftMs"));
  const itl = o.itlMs === undefined ? undefined : delay(o.itlMs, label("itlMs"));
  const streamedTiming = ttft !== undefined || itl !== undefined;
  const accuracy = o.accuracy ?? 0.8;
  if (typeof accuracy !== "number" || !(accuracy >= 0 && accuracy <= 1)) fail(label("accuracy"), "a number from 0 to 1", accuracy);
  if (o.answerKey !== undefined && typeof o.answerKey !== "function" && !(o.answerKey instanceof Map)) {
    fail(label("answerKey"), "a function or a Map", o.answerKey);
  }
  if (o.answerKey !== undefined && o.answerKeyFile !== undefined) {
    throw new ConfigError(`Expected only one of ${label("answerKey")} and ${label("answerKeyFile")}`);
  }
  if (o.answerKeyFile !== undefined && (typeof o.answerKeyFile !== "string" || o.answerKeyFile === "")) {
    fail(label("answerKeyFile"), "a non-empty string", o.answerKeyFile);
  }
  if (o.answerField !== undefined) {
    if (typeof o.answerField !== "string" || o.answerField === "") fail(label("answerField"), "a non-empty string", o.answerField);
    if (o.answerKeyFile === undefined) throw new ConfigError(`Expected ${label("answerField")} only with ${label("answerKeyFile")}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail(label("seed"), "an integer", seed);
  const replyFormat = o.replyFormat ?? "reasoning";
  if (replyFormat !== "reasoning" && replyFormat !== "answer") fail(label("replyFormat"), '"reasoning" or "answer"', replyFormat);
  const reasoning = o.reasoning ?? "none";
  if (!(SIM_REASONING as readonly unknown[]).includes(reasoning)) fail(label("reasoning"), SIM_REASONING.map((r) => `"${r}"`).join(", "), reasoning);
  const judgeStyle = o.judgeStyle ?? "plain";
  if (!["plain", "tricky", "none"].includes(judgeStyle)) fail(label("judgeStyle"), '"plain", "tricky" or "none"', judgeStyle);
  const judgePositionBias = o.judgePositionBias ?? 0;
  if (typeof judgePositionBias !== "number" || !(judgePositionBias >= 0 && judgePositionBias <= 1)) fail(label("judgePositionBias"), "a number from 0 to 1", judgePositionBias);
  const usage = o.usage ?? true;
  if (typeof usage !== "boolean") fail(label("usage"), "a boolean", usage);
  if (o.faults !== undefined && typeof o.faults !== "function") fail(label("faults"), "a function", o.faults);
  if (o.models !== undefined) {
    const ok = Array.isArray(o.models) && o.models.length > 0 && o.models.every((m) => typeof m === "string" && m !== "");
    if (!ok) fail(label("models"), "a non-empty array of non-empty strings", o.models);
  }
  if (o.apiKey !== undefined && (typeof o.apiKey !== "string" || o.apiKey === "")) {
    throw new ConfigError(`Expected ${label("apiKey")} to be a non-empty string`);
  }
  return {
    port,
    host: host.replace(/^\[(.*)\]$/, "$1"),
    ttftMs: streamedTiming ? (ttft ?? 0) : latencyMs,
    itlMs: streamedTiming ? (itl ?? 0) : 0,
    accuracy,
    answerKey: o.answerKey,
    answerKeyFile: o.answerKeyFile,
    answerField: o.answerField ?? "target",
    seed,
    replyFormat,
    reasoning,
    judgeStyle,
    judgePositionBias,
    usage,
    faults: o.faults,
    models: o.models?.slice(),
    apiKey: o.apiKey,
  };
}

/** True for 127.0.0.0/8, ::1 (also bracketed or IPv4-mapped) and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

function delay(value: unknown, name: string): number {
  const v = value ?? 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) fail(name, "a finite number >= 0", v);
  return v;
}

function fail(name: string, expected: string, got: unknown): never {
  throw new ConfigError(`Expected ${name} to be ${expected}, got ${describe(got)}`);
}

/** A value as a message shows it: strings quoted, numbers as they are, anything else by its kind. */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array";
  return typeof v === "function" ? "a function" : typeof v;
}
