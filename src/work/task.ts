import type { ChatMessage, Doc } from "../types.js";

/** lm-evaluation-harness output types. Pipelines are registered per type. */
export type OutputType =
  | "generate_until"
  | "multiple_choice"
  | "loglikelihood"
  | "loglikelihood_rolling"
  | "generate_until_multi_round"
  | "tool_use";

/** Request settings from `generation_kwargs`, normalised to OpenAI names. */
export interface GenerationSettings {
  /** Stop sequences (`until`). The OpenAI API takes at most 4; the rest are cut client-side. */
  readonly stop: readonly string[];
  /** `max_gen_toks` / `max_tokens` (lm-evaluation-harness default 256). */
  readonly max_tokens: number;
  readonly temperature: number;
  readonly top_p?: number;
  /** Any other key of `generation_kwargs`, passed through to the request body. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A named filter pipeline (`filter_list` entry): maps a sample's responses to filtered answers. */
export interface NamedFilter {
  readonly name: string;
  /** One output per input response, as lm-evaluation-harness filters do (take_first keeps one). */
  apply(responses: readonly string[], doc?: Doc): string[];
}

/** A metric of `metric_list`, bound to its options. */
export interface MetricSpec {
  readonly name: string;
  /** Aggregation name (`mean` …), resolved through the metrics registry. */
  readonly aggregation: string;
  readonly higherIsBetter: boolean;
  /** Per-sample score of one filtered prediction against the reference. */
  score(prediction: string, reference: string): number;
}

/** A task YAML, validated and compiled: everything a pipeline needs to build requests and score replies. */
export interface Task {
  readonly name: string;
  readonly outputType: OutputType;
  readonly idField: string;
  readonly repeats: number;
  readonly generation: GenerationSettings;
  readonly filters: readonly NamedFilter[];
  readonly metrics: readonly MetricSpec[];
  /** The raw validated YAML object, for pipelines that read more of it (choices, turns, judge …). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Where it was loaded from and its text: the run fingerprint hashes the text. */
  readonly origin: { readonly file: string; readonly text: string };
  /** `doc_to_text`; throws a TaskInputError naming the missing key. */
  prompt(doc: Doc): string;
  /**
   * `doc_to_target` as the reference the metrics compare with; throws a TaskInputError naming the
   * missing key. A generate_until task with `doc_to_choice` maps an index target to its choice, as
   * lm-eval does; for multiple_choice it is the raw target (an index such as "2", or a choice text).
   */
  target(doc: Doc): string;
  /**
   * The gold answers when `doc_to_target` yields a list (a list field, or a template rendering a
   * Python list literal, which lm-eval `literal_eval`s): a generate_until sample then scores 1 when any
   * answer scores (lm-eval's `multiple_target`). Undefined for one target.
   */
  targets?(doc: Doc): string[] | undefined;
  /** `doc_to_choice`, when the task has one; throws a TaskInputError naming the missing key. */
  choices?(doc: Doc): string[];
  /** Few-shot examples before each prompt (`num_fewshot`, or `--num-fewshot`); absent or 0: none. */
  readonly numFewshot?: number;
  /**
   * With `--fewshot-as-multiturn`: the prompt as chat messages (the description as the system message,
   * each example as a user turn and its target as the assistant's, then the prompt). Chat pipelines send
   * these instead of `prompt(doc)` as one user message.
   */
  messages?(doc: Doc): ChatMessage[];
}
