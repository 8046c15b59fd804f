import type { ChatMessage, Doc, MediaRef, MediaSettings } from "../types.js";
import type { PythonHook } from "../python/hooks/hook-ref.js";

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
  /**
   * One output per input response, as lm-evaluation-harness filters do (take_first keeps one). Throws
   * for a pipeline with a Python step (`python` is set): the Python scoring stage applies those.
   */
  apply(responses: readonly string[], doc?: Doc): string[];
  /** Its steps, when one of them is Python (`function: custom` + `filter_fn: !function`, or a `!function` class). */
  readonly python?: readonly FilterStepSpec[];
}

/** One step of a pipeline that has Python steps: a built-in filter, or a Python one run by the hook worker. */
export type FilterStepSpec =
  | { readonly kind: "builtin"; readonly name: string; readonly apply: (responses: readonly string[], doc?: Doc) => string[] }
  | { readonly kind: "python"; readonly hook: PythonHook; readonly form: "fn" | "class"; readonly args: Readonly<Record<string, unknown>> };

/** How a JSON value becomes the Python value lm-eval passes an aggregation: a `float`, a `tuple` (from a list), or as it is (`int`). */
export type PythonItemForm = "float" | "int" | "tuple";

/** A metric of `metric_list`, bound to its options. */
export interface MetricSpec {
  readonly name: string;
  /** Aggregation name (`mean` …), resolved through the metrics registry. */
  readonly aggregation: string;
  readonly higherIsBetter: boolean;
  /** Per-sample score of one filtered prediction against the reference. */
  score(prediction: string, reference: string): number;
  /**
   * Set for metrics that read the whole sample (lmms-eval's chartqa, docvqa and mmmu scoring): called
   * instead of `score` with the prediction, every gold answer and the doc; its number (or, when
   * `passthrough`, its item) is the sample's value, and undefined leaves the sample out of this metric.
   */
  scoreSample?(prediction: string, gold: string | readonly string[], doc: Readonly<Record<string, unknown>>): unknown;
  /**
   * lm-eval's passthrough metrics (bleu, chrf, ter): a sample's value is the item [reference,
   * prediction], recorded under the line's `values` and scored at corpus level by the aggregation;
   * `score` is never called.
   */
  readonly passthrough?: boolean;
  /** Set for code metrics (code_eval): the code execution stage scores them in the sandbox, `score` is never called. */
  readonly execution?: CodeExecutionSpec;
  /** `metric: !function`: the function, called by the hook worker as lm-eval calls it (`score` is never called), with the entry's other keys. */
  readonly python?: { readonly hook: PythonHook; readonly options: Readonly<Record<string, unknown>> };
  /** `aggregation: !function`: the per-sample values go to the line's `values` and this function aggregates them at the end of the run. */
  readonly pythonAggregation?: PythonHook;
  /** With `pythonAggregation`: the Python type lm-eval gives each value (JSON arrives as it is without it). */
  readonly pythonItem?: PythonItemForm;
  /** Set for judge metrics (llm_judge): the judge stage asks the run's judge model, `score` is never called. */
  readonly judge?: JudgeMetricSpec;
}

/** The verdict scales of judge metrics: PASS/FAIL (1/0), a 1-10 rating, a letter A–F (4–0). */
export type JudgeScale = "pass_fail" | "1-10" | "letter";

/** How a judge metric asks the judge about one answer, and how its verdict reads. */
export interface JudgeMetricSpec {
  readonly scale: JudgeScale;
  /** The built-in template's name, or `custom` for the task's own prompt. */
  readonly template: string;
  /** The evaluated model's `<think>` reasoning is removed from the answer the judge sees. */
  readonly stripReasoning: boolean;
  /** The judge is shown the sample's media (`with_media`): its images and audio go before the user message's text. */
  readonly withMedia: boolean;
  /**
   * The judge's messages (system, then user) for one answer; `vars` holds the sample's fields and
   * `input`, `response`, `target` (see operators/judge-metrics.ts). Throws a TaskInputError naming a
   * field the template uses and the sample lacks.
   */
  messages(vars: Doc): ChatMessage[];
}

/** How a code metric turns a sample's filtered answer into the program it runs, and names its scores. */
export interface CodeExecutionSpec {
  /** The k of pass@k, ascending. */
  readonly ks: readonly number[];
  /** The score key of pass@k, before `,filter` (`pass@1`). */
  key(k: number): string;
  /** The candidate program for an answer (HF then appends a newline and the reference's tests). */
  program(doc: Doc, answer: string): string;
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
  /**
   * Where it was loaded from and its text: the run fingerprint hashes the text. `includes`: the files its
   * `include:` keys merged in (absolute paths, nested ones too), which a queue ships with it.
   */
  readonly origin: { readonly file: string; readonly text: string; readonly includes?: readonly string[] };
  /**
   * `doc_to_text`; throws a TaskInputError naming the missing key. `position` is the document's index in
   * its input (0-based; `docPosition`), by which few-shot examples are drawn as lm-eval draws them; without
   * it they are drawn by the document's content.
   */
  prompt(doc: Doc, position?: number): string;
  /**
   * `doc_to_text`'s value before it becomes text: an integer from a Python hook means several inputs
   * (lm-eval's multiple_input, as winogrande): the choices are the contexts and this is the gold one.
   */
  promptValue?(doc: Doc): unknown;
  /** The task's Python hooks (`!function`), run by the hook worker; absent when it has none. */
  readonly hooks?: TaskHooks;
  /**
   * Every `!function` of the task (doc hooks, filters, metrics, aggregations), for the worker to load;
   * absent when it has none.
   */
  readonly pythonHooks?: readonly PythonHook[];
  /**
   * A generate_until task scored by the Python scoring stage (a Python filter or metric, or
   * `process_results`): the pipeline leaves its lines unscored and the stage scores them, all repeats
   * of a sample together as lm-eval does.
   */
  readonly scoredInPython?: boolean;
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
  /** The few-shot examples depend on the document's position in its input (lm-eval's default sampler), not only on the document. */
  readonly fewshotByPosition?: boolean;
  /** Set when the few-shot pool or the examples' renderings need the Python hook worker (tasks/fewshot.ts). */
  readonly fewshotPython?: FewshotPython;
  /**
   * What comes before the question: the description and the few-shot examples. A multiple_choice task
   * with several inputs (winogrande) puts it before each of its contexts, as lm-eval's multiple_input_context.
   */
  contextPrefix?(doc: Doc, position?: number): string;
  /**
   * With `--fewshot-as-multiturn`: the prompt as chat messages (the description as the system message,
   * each example as a user turn and its target as the assistant's, then the prompt). Chat pipelines send
   * these instead of `prompt(doc)` as one user message.
   */
  messages?(doc: Doc, position?: number): ChatMessage[];
  /**
   * The sample's media (doc_to_image, doc_to_audio, doc_to_visual), read for digests and sizes;
   * paths are relative to `baseDir` (the input file's folder). Absent when the task has none.
   */
  media?(doc: Doc, baseDir: string): MediaRef[];
  /** How the task's media is sent (`image_detail`, `--video-frames`, `--max-image-side`), for media given inside messages too. */
  readonly mediaSettings?: MediaSettings;
  /**
   * lmms-eval's prompt settings for this run (`lmms_eval_specific_kwargs`: the `--model-family` block,
   * else `default`): doc_to_text hooks get them as their second argument, templates as `lmms_eval_specific_kwargs`.
   */
  readonly promptKwargs?: Readonly<Record<string, unknown>>;
  /**
   * A digest of everything the task's rendering of a sample reads besides the sample's input line (the
   * task's files and options, its few-shot pool, the package's version): set by the task loader on tasks
   * whose rendering reads nothing else (see tasks/render-digest.ts). A resumed run then reuses a record
   * made from the same line, task and model without rendering its sample again. Absent: never so.
   */
  readonly renderDigest?: string;
}

/** A task's Python hooks (`!function` in its YAML), by the key that names each. */
export interface TaskHooks {
  readonly process_docs?: PythonHook;
  readonly doc_to_text?: PythonHook;
  readonly doc_to_target?: PythonHook;
  readonly doc_to_choice?: PythonHook;
  readonly doc_to_image?: PythonHook;
  readonly doc_to_audio?: PythonHook;
  readonly doc_to_visual?: PythonHook;
  readonly process_results?: PythonHook;
}

/** How many times each sample of `task` is asked: the run's `--repeats` when given, else the task's own. */
export const effectiveRepeats = (task: Pick<Task, "repeats">, override: number | undefined): number => override ?? task.repeats;

/** Why a sample's hooks failed: the hook's key and `!function`, and the traceback's last line. */
export interface HookFailure {
  readonly hook: string;
  readonly spec: string;
  readonly message: string;
}

/** What the hook stage computed for one doc: each doc hook's value (by key), or the failure. */
export interface HookValues {
  readonly values: Readonly<Record<string, unknown>>;
  readonly failure?: HookFailure;
}

/**
 * The Python part of a task's few-shot examples, for the hook stage: the pool from a `samples` hook or
 * through `process_docs` (once, before any prompt), and each drawn example's doc_to_* hook values (when
 * a document first draws it; kept with the pool, so an example is rendered once per run).
 */
export interface FewshotPython {
  /** `fewshot_config.samples: !function …`: called with no arguments, it returns the pool. */
  readonly samples?: PythonHook;
  /** The task's `process_docs`, run on `given` (a split's rows) as a whole, as lm-eval runs it on the split. */
  readonly processDocs?: PythonHook;
  readonly given?: readonly Doc[];
  /** The hooks that render an example. */
  readonly hooks: Readonly<Partial<Record<"doc_to_text" | "doc_to_target" | "doc_to_choice", PythonHook>>>;
  /** Whether the pool is set. */
  readonly ready: boolean;
  /** Sets the pool (the hook's or process_docs' docs); throws a TaskInputError when it is too small. */
  setPool(docs: readonly Doc[]): void;
  /** The examples `doc` (at `position` in its input) draws that have no hook values yet: their index in the pool, and the doc. */
  pending(doc: Doc, position?: number): { index: number; doc: Doc }[];
  /** Keeps an example's hook values (or failure). */
  supply(index: number, values: HookValues): void;
  /** The first hook failure among the examples `doc` draws. */
  failure(doc: Doc, position?: number): HookFailure | undefined;
}
