import { z } from "../zod.js";

/**
 * Task keys for conversations, judges and tools — streameval's additions to the lm-evaluation-harness
 * vocabulary, typed here and merged into TaskSchema. A "value" is a field name (`turns`) or a
 * one-expression template (`"{{ question[0] }}"`).
 *
 * ```yaml
 * output_type: generate_until_multi_round
 * turns: turns                      # the user messages, one per turn
 * system_prompt: You are a helpful assistant.
 * temperature_by: {field: category, values: {writing: 0.7, math: 0.0}, default: 0.7}
 * judge: {model: gpt-4, reference: reference, reference_categories: [math, reasoning, coding]}
 * context_window: {tokens: 8192, strategy: drop_oldest, keep_last: 1}
 *
 * output_type: tool_use
 * doc_to_messages: "{{ question[0] }}"    # or doc_to_text for one user message
 * tools: {from: function, format: bfcl}
 * expected_calls: ground_truth            # BFCL possible answers: scored with the AST checker
 * agent: {tools: [calculator], message_limit: 20, time_limit: 120}
 * ```
 */
const Value = z.string().min(1);

export const JudgeConfigSchema = z.strictObject({
  /** The judge model; `--judge-model` overrides it. */
  model: z.string().min(1).optional(),
  /** Its endpoint (default: the run's); `--judge-base-url` overrides it. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** The environment variable holding the judge's key (default: the run's). */
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected the name of an environment variable" }).optional(),
  /**
   * Multi-turn tasks: `mt_bench` grades every turn with MT-Bench's single-answer prompts; `none` leaves
   * grading to the task's `llm_judge` metrics (this block then only sets up the judge).
   */
  prompts: z.enum(["mt_bench", "none"]).default("mt_bench"),
  /** Reference answers per turn (a list), where a sample has them. */
  reference: Value.optional(),
  /** Only samples of these categories are graded against their reference (FastChat: math, reasoning, coding). */
  reference_categories: z.array(z.string()).optional(),
  /** The sample's category (a value), for `reference_categories`. */
  category: Value.optional(),
  temperature: z.number().min(0).default(0),
  max_tokens: z.int().min(1).default(2048),
  concurrency: z.int().min(1).optional(),
  /** `llm_judge` and MT-Bench's per-turn rating: a reply with no readable verdict is asked again this many times (never cached) before it is the sample's error. */
  verdict_retries: z.int().min(0).max(5).default(1),
  /** USD per 1M input / output tokens of the judge. */
  price: z.strictObject({ input: z.number().min(0), output: z.number().min(0) }).optional(),
});
export type JudgeConfig = z.output<typeof JudgeConfigSchema>;

export const ContextWindowSchema = z.strictObject({
  /** The window in tokens when the model has none configured (models YAML `context_window`). */
  tokens: z.int().min(1).optional(),
  /** `error` (default): end the sample with a clear error; `drop_oldest`: leave out the oldest turns. */
  strategy: z.enum(["drop_oldest", "error"]).default("error"),
  /** Turns `drop_oldest` always keeps, the current one included. */
  keep_last: z.int().min(1).default(1),
});
export type ContextWindowConfig = z.output<typeof ContextWindowSchema>;

export const TemperatureBySchema = z.strictObject({
  field: z.string().min(1),
  values: z.record(z.string(), z.number().min(0)),
  default: z.number().min(0).optional(),
});

export const ToolsConfigSchema = z.strictObject({
  /** The sample's tools (a value): OpenAI tool schemas, or BFCL function docs. */
  from: Value,
  /** `bfcl`: BFCL function docs, converted as BFCL does (`dict` → `object` …). */
  format: z.enum(["openai", "bfcl"]).default("openai"),
  /** Tool names with `.` are sent with `_` (OpenAI allows no dots), as BFCL's FC handlers do. */
  underscore_to_dot: z.boolean().default(true),
});
export type ToolsConfig = z.output<typeof ToolsConfigSchema>;

export const AgentConfigSchema = z.strictObject({
  /** Code tools by name (the built-in registry from the CLI: calculator). */
  tools: z.array(z.string().min(1)).optional(),
  /** The sample's canned tool outputs (a value): `{tool_name: output | [outputs in order]}`. */
  canned_outputs: Value.optional(),
  message_limit: z.int().min(2).optional(),
  token_limit: z.int().min(1).optional(),
  time_limit: z.number().positive().optional(),
  cost_limit: z.number().positive().optional(),
});
export type AgentConfig = z.output<typeof AgentConfigSchema>;

/** The keys above, as merged into TaskSchema. */
export const CONVERSATION_KEYS = {
  turns: Value.optional(),
  system_prompt: z.string().optional(),
  temperature_by: TemperatureBySchema.optional(),
  judge: JudgeConfigSchema.optional(),
  context_window: ContextWindowSchema.optional(),
  doc_to_messages: Value.optional(),
  tools: ToolsConfigSchema.optional(),
  expected_calls: Value.optional(),
  agent: AgentConfigSchema.optional(),
};

export const ConversationKeysSchema = z.object(CONVERSATION_KEYS);
export type ConversationConfig = z.output<typeof ConversationKeysSchema>;
