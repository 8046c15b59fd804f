import type { JudgeTemplateName } from "../metrics/llm-judge.js";
import { JUDGE_PROMPTS } from "./judge-prompts.js";

/**
 * The built-in judge templates: a system message and a Jinja user message over `input` (the prompt
 * the model saw), `response` (its answer, reasoning removed), `target` (the reference), `criteria`
 * and `verdict_instruction` (how the entry's scale asks for its verdict, see VERDICT_INSTRUCTIONS).
 *
 * `rubric` grades against the entry's criteria (G-Eval / promptfoo llm-rubric); `reference` decides
 * correctness against the reference answer (inspect's model_graded_qa); `factual` decides whether the
 * answer is consistent with the reference's facts (openai/evals fact, inspect's model_graded_fact);
 * `mt_bench` and `mt_bench_reference` are FastChat's single-v1 and single-math-v1, verbatim.
 */
export interface JudgeTemplate {
  readonly system: string;
  readonly prompt: string;
}

const SYSTEM = "You are a helpful assistant.";

const ANSWER = "[The Start of Assistant's Answer]\n{{ response }}\n[The End of Assistant's Answer]";
const REFERENCE = "[The Start of Reference Answer]\n{{ target }}\n[The End of Reference Answer]";

/** FastChat's `{field}` placeholders as Jinja expressions over the judge's variables. */
function fromFastChat(template: string): string {
  const names: Readonly<Record<string, string>> = { question: "input", answer: "response", ref_answer_1: "target" };
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => `{{ ${names[name] ?? name} }}`);
}

export const JUDGE_TEMPLATE_TEXT: Readonly<Record<JudgeTemplateName, JudgeTemplate>> = {
  rubric: {
    system: SYSTEM,
    prompt: `[Instruction]\nPlease act as an impartial judge and evaluate the response provided by an AI assistant to the user question displayed below against the criteria that follow, and only against them. Begin your evaluation by providing a short explanation. Be as objective as possible. {{ verdict_instruction }}\n\n[Criteria]\n{{ criteria }}\n\n[Question]\n{{ input }}\n\n${ANSWER}`,
  },
  reference: {
    system: SYSTEM,
    prompt: `[Instruction]\nPlease act as an impartial judge and decide whether the response provided by an AI assistant to the user question displayed below is correct. You will be given a reference answer and the assistant's answer. Begin your evaluation by comparing the assistant's answer with the reference answer: it is correct when it gives the reference's answer; wording, style and extra detail that does not contradict the reference do not matter. Be as objective as possible. {{ verdict_instruction }}\n\n[Question]\n{{ input }}\n\n${REFERENCE}\n\n${ANSWER}`,
  },
  factual: {
    system: SYSTEM,
    prompt: `[Instruction]\nPlease act as an impartial judge and decide whether the answer provided by an AI assistant to the user question displayed below is factually consistent with the reference answer written by an expert. It is consistent when every fact it states agrees with the reference, even if it states fewer or more facts; it is inconsistent when any fact it states contradicts the reference. Ignore differences of style, grammar and punctuation. Begin your evaluation by providing a short explanation. {{ verdict_instruction }}\n\n[Question]\n{{ input }}\n\n${REFERENCE}\n\n${ANSWER}`,
  },
  mt_bench: { system: JUDGE_PROMPTS["single-v1"].system_prompt, prompt: fromFastChat(JUDGE_PROMPTS["single-v1"].prompt_template) },
  mt_bench_reference: { system: JUDGE_PROMPTS["single-math-v1"].system_prompt, prompt: fromFastChat(JUDGE_PROMPTS["single-math-v1"].prompt_template) },
};
