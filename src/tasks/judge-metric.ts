import type { LlmJudgeOptions } from "../metrics/llm-judge.js";
import { JUDGE_TEMPLATE_TEXT } from "../scorers/judge-templates.js";
import { VERDICT_INSTRUCTIONS } from "../scorers/verdict.js";
import type { ChatMessage } from "../types.js";
import type { JudgeMetricSpec } from "../work/task.js";
import { compileTemplate } from "./template.js";
import type { ConfigPath, ConfigSite } from "./yaml-location.js";

/**
 * Compiles an `llm_judge` entry: its system and user templates (built in, or the entry's `system` and
 * `prompt`), and its criteria, once, at load time; a template syntax error names the entry's key.
 * The user message sees the sample's fields, `input`, `response`, `target`, `criteria` (rendered) and
 * `verdict_instruction` (how the scale asks for the verdict).
 */
export function compileJudgeMetric(options: LlmJudgeOptions, path: ConfigPath, site: ConfigSite): JudgeMetricSpec {
  const builtIn = options.template ? JUDGE_TEMPLATE_TEXT[options.template] : undefined;
  const key = options.prompt !== undefined ? "prompt" : "template";
  const user = compileTemplate(options.prompt ?? builtIn!.prompt, site.where([...path, key]));
  const systemSource = options.system ?? builtIn?.system;
  const system = systemSource === undefined ? undefined : compileTemplate(systemSource, site.where([...path, options.system ? "system" : "template"]));
  const criteria = options.criteria === undefined ? undefined : compileTemplate(options.criteria, site.where([...path, "criteria"]));
  const verdictInstruction = VERDICT_INSTRUCTIONS[options.scale];
  return {
    scale: options.scale,
    template: options.template ?? "custom",
    stripReasoning: options.strip_reasoning,
    withMedia: options.with_media,
    messages(vars) {
      const all = { ...vars, verdict_instruction: verdictInstruction, ...(criteria ? { criteria: criteria.render(vars) } : {}) };
      const messages: ChatMessage[] = system ? [{ role: "system", content: system.render(all) }] : [];
      messages.push({ role: "user", content: user.render(all) });
      return messages;
    },
  };
}
