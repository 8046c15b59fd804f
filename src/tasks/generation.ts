import type { TaskConfig } from "./schema.js";
import type { GenerationSettings } from "../work/task.js";

/** lm-evaluation-harness's default `max_gen_toks`. */
export const DEFAULT_MAX_TOKENS = 256;

/**
 * `generation_kwargs` as lm-eval's OpenAI-compatible API models send it: `until` → `stop` (a string
 * becomes a one-item list; absent → `[fewshot_delimiter]`), `max_tokens` else `max_gen_toks` else
 * lmms-eval's `max_new_tokens` else 256,
 * `temperature` default 0 (greedy), `do_sample` dropped, every other key passed through.
 */
export function generationSettings(config: TaskConfig): GenerationSettings {
  const { until, max_gen_toks, max_tokens, max_new_tokens, temperature, do_sample: _doSample, top_p, ...extra } = config.generation_kwargs ?? {};
  return {
    stop: until === undefined ? [config.fewshot_delimiter] : typeof until === "string" ? [until] : [...until],
    max_tokens: max_tokens ?? max_gen_toks ?? max_new_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: temperature ?? 0,
    ...(top_p === undefined ? {} : { top_p }),
    extra,
  };
}
