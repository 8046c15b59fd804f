import { z } from "../zod.js";
import { PythonHook } from "../python/hooks/hook-ref.js";
import { CONVERSATION_KEYS } from "./conversation-keys.js";

/**
 * The task YAML vocabulary of lm-evaluation-harness (its TaskConfig), as a zod schema.
 *
 * - Keys streameval uses are typed, with the harness's defaults.
 * - Harness keys that do not change prompts or scores here (dataset_path, test_split, metadata, tag …)
 *   are accepted, typed and ignored: a wrong type is still an error.
 * - Harness keys whose effect streameval does not reproduce (custom_dataset, use_prompt …) are in
 *   UNSUPPORTED_KEYS: rejected with a reason rather than silently ignored.
 * - Any other key is kept in the parsed object (so later pipelines can read it), unless it looks like a
 *   misspelling of a known key (see `misspelledKey`).
 */

export const OUTPUT_TYPES = ["generate_until", "multiple_choice", "loglikelihood", "loglikelihood_rolling", "generate_until_multi_round", "tool_use"] as const;

/** `!function module.name`: a Python function of the task folder (src/python/hooks). */
export const HookSchema = z.instanceof(PythonHook, { error: "expected `!function module.name` (a Python function beside the task file)" });

/** A Jinja template, a field name, an integer, or a Python hook (doc_to_text, doc_to_target). */
const FieldSpec = z.union([z.string(), z.int(), HookSchema], { error: "expected a template, a field name, an integer or `!function module.name`" });
const MediaSpecSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1), HookSchema], {
  error: "expected a field name, a list of field names, a {{ template }} or `!function module.name`",
});
const Strings = z.union([z.string(), z.array(z.string())], { error: "expected a string or a list of strings" });
const OptionalSplit = z.string().nullish();

export const GenerationKwargsSchema = z.looseObject({
  until: Strings.optional(),
  max_gen_toks: z.int().min(1).optional(),
  max_tokens: z.int().min(1).optional(),
  /** lmms-eval's name for max_gen_toks. */
  max_new_tokens: z.int().min(1).optional(),
  temperature: z.number().min(0).optional(),
  do_sample: z.boolean().optional(),
  top_p: z.number().gt(0).max(1).optional(),
});

/** A `filter_list[].filter` step: `function` plus that filter's arguments. */
export const FilterStepSchema = z.looseObject({ function: z.union([z.string().min(1), HookSchema]) });

export const FilterPipelineSchema = z.strictObject({
  name: z.string().min(1),
  filter: z.array(FilterStepSchema).min(1),
});

/** A `metric_list` entry: the metric, its aggregation, and its options (validated by the metric). */
export const MetricEntrySchema = z.looseObject({
  metric: z.union([z.string().min(1), HookSchema]),
  aggregation: z.union([z.string().min(1), HookSchema]).optional(),
  higher_is_better: z.boolean().optional(),
  hf_evaluate: z.boolean().optional(),
  // exact_match's options (ignore_case …) are the metric's to validate: it reads its flags as Python does.
  regexes_to_ignore: z.array(z.string()).optional(),
});

export type MetricEntry = z.output<typeof MetricEntrySchema>;

export const TaskSchema = z.looseObject({
  task: z.string().min(1),
  output_type: z.enum(OUTPUT_TYPES).default("generate_until"),
  doc_to_text: FieldSpec.optional(),
  doc_to_target: FieldSpec.optional(),
  doc_to_choice: z
    .union([z.string(), z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.union([z.string(), z.number()])), HookSchema], {
      error: "expected a list of strings, a field name, a {{ template }} or `!function module.name` (quote yes/no/on/off: YAML reads them as booleans)",
    })
    .optional(),
  target_delimiter: z.string().default(" "),
  fewshot_delimiter: z.string().default("\n\n"),
  id_field: z.string().min(1).default("id"),
  // null (an empty `generation_kwargs:`) is lm-eval's None: the defaults.
  generation_kwargs: GenerationKwargsSchema.nullish(),
  filter_list: z.array(FilterPipelineSchema).min(1).optional(),
  metric_list: z.array(MetricEntrySchema).min(1).optional(),
  repeats: z.int().min(1).default(1),
  num_fewshot: z.int().min(0).nullish(),
  description: z.string().optional(),
  /** Starts the model's answer (lm-eval's gen_prefix): a field name or a template. */
  gen_prefix: z.string().optional(),
  // Accepted and ignored: they say where the harness finds data, or label the task.
  task_alias: z.string().optional(),
  tag: Strings.optional(),
  group: Strings.optional(),
  group_alias: z.string().optional(),
  dataset_path: z.string().optional(),
  dataset_name: z.string().nullish(),
  dataset_kwargs: z.record(z.string(), z.unknown()).nullish(),
  training_split: OptionalSplit,
  validation_split: OptionalSplit,
  test_split: OptionalSplit,
  fewshot_split: OptionalSplit,
  fewshot_config: z.record(z.string(), z.unknown()).nullish(),
  should_decontaminate: z.boolean().optional(),
  doc_to_decontamination_query: z.union([z.string(), HookSchema]).optional(),
  // lm-eval builds the dataset with it instead of load_dataset; streameval takes the rows from its input
  // (the rows it would build), so it is never called, nor its module imported.
  custom_dataset: HookSchema.optional(),
  unsafe_code: z.boolean().optional(),
  // lm-eval wraps a metadata that is not a mapping (truthfulqa_mc1's list) as {"_metadata": …}.
  metadata: z.unknown().optional(),
  // Python hooks, run by the hook worker (src/python/hooks).
  process_docs: HookSchema.optional(),
  process_results: HookSchema.optional(),
  // Media (lm-eval's doc_to_image / doc_to_audio, lmms-eval's doc_to_visual): a field name, a list of
  // field names, a Jinja template or a Python hook, yielding one item or a list (src/media).
  doc_to_image: MediaSpecSchema.optional(),
  doc_to_audio: MediaSpecSchema.optional(),
  doc_to_visual: MediaSpecSchema.optional(),
  /** OpenAI's `detail` for the task's images (default: the API's own, `auto`). */
  image_detail: z.enum(["auto", "low", "high"]).optional(),
  /** lmms-eval's prompt settings: `default`, and blocks per model family (chosen by --model-family). */
  lmms_eval_specific_kwargs: z.record(z.string(), z.record(z.string(), z.unknown()).nullish()).optional(),
  /** The older name of lmms_eval_specific_kwargs. */
  model_specific_prompt_kwargs: z.record(z.string(), z.record(z.string(), z.unknown()).nullish()).optional(),
  /** The doc field whose value each result line carries as `category` (MMLU's subject …): the report groups by it. */
  category_field: z.string().min(1).optional(),
  // streameval's keys for conversations, judges and tools (conversation-keys.ts).
  ...CONVERSATION_KEYS,
});

/** A validated task file, defaults applied; unknown keys kept. */
export type TaskConfig = z.output<typeof TaskSchema>;

/** Harness keys that would change prompts or scores in ways streameval does not reproduce. */
export const UNSUPPORTED_KEYS: Readonly<Record<string, string>> = {
  use_prompt: "promptsource prompts (use_prompt) are not supported; write doc_to_text",
  multiple_input: "multiple-input tasks are not supported",
  multiple_target: "multiple targets are not supported yet",
  class: "a Python task class (lm-eval's ConfigurableTask subclassed, its methods replaced) is not supported: streameval runs tasks defined by their YAML keys",
};

/** Every key the harness vocabulary defines, known to the schema or deliberately unsupported. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set([...Object.keys(TaskSchema.shape), ...Object.keys(UNSUPPORTED_KEYS), "include"]);

/**
 * The known key an unknown one is probably a misspelling of (edit distance ≤ 2, or ≤ 1 for short
 * keys), or undefined. Such keys are errors: a typo'd `doc_to_txt` must not be silently ignored.
 */
export function misspelledKey(key: string): string | undefined {
  if (KNOWN_KEYS.has(key)) return undefined;
  const limit = key.length <= 5 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of KNOWN_KEYS) {
    const d = editDistance(key, k, limit);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    if (Math.min(...row) > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}
