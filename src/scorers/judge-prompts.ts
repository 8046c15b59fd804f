import type { JudgePromptName } from "../work/judgment.js";

/**
 * MT-Bench's single-answer grading prompts, verbatim from FastChat
 * (`fastchat/llm_judge/data/judge_prompts.jsonl`): the judge gets `system_prompt` as the system
 * message and `prompt_template`, filled in, as the user message, and answers with `[[rating]]`.
 *
 * `single-v1` grades a first turn, `single-v1-multi-turn` the second turn in view of the whole
 * conversation; the `math` variants (FastChat's NEED_REF_CATS: math, reasoning, coding) also show
 * a reference answer.
 */
export interface JudgePrompt {
  readonly name: JudgePromptName;
  readonly system_prompt: string;
  readonly prompt_template: string;
  readonly ref_based: boolean;
  readonly multi_turn: boolean;
}

const RATE =
  'After providing your explanation, you must rate the response on a scale of 1 to 10 by strictly following this format: "[[rating]]", for example: "Rating: [[5]]".';

const CONVERSATION =
  "<|The Start of Assistant A's Conversation with User|>\n\n### User:\n{question_1}\n\n### Assistant A:\n{answer_1}\n\n### User:\n{question_2}\n\n### Assistant A:\n{answer_2}\n\n<|The End of Assistant A's Conversation with User|>";

export const JUDGE_PROMPTS: Readonly<Record<JudgePromptName, JudgePrompt>> = {
  "single-v1": {
    name: "single-v1",
    system_prompt: "You are a helpful assistant.",
    prompt_template: `[Instruction]\nPlease act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. Begin your evaluation by providing a short explanation. Be as objective as possible. ${RATE}\n\n[Question]\n{question}\n\n[The Start of Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]`,
    ref_based: false,
    multi_turn: false,
  },
  "single-math-v1": {
    name: "single-math-v1",
    system_prompt: "You are a helpful assistant.",
    prompt_template: `[Instruction]\nPlease act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider correctness and helpfulness. You will be given a reference answer and the assistant's answer. Begin your evaluation by comparing the assistant's answer with the reference answer. Identify and correct any mistakes. Be as objective as possible. ${RATE}\n\n[Question]\n{question}\n\n[The Start of Reference Answer]\n{ref_answer_1}\n[The End of Reference Answer]\n\n[The Start of Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]`,
    ref_based: true,
    multi_turn: false,
  },
  "single-v1-multi-turn": {
    name: "single-v1-multi-turn",
    system_prompt: `Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. You evaluation should focus on the assistant's answer to the second user question. Begin your evaluation by providing a short explanation. Be as objective as possible. ${RATE}\n\n`,
    prompt_template: CONVERSATION,
    ref_based: false,
    multi_turn: true,
  },
  "single-math-v1-multi-turn": {
    name: "single-math-v1-multi-turn",
    system_prompt: `Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question. Your evaluation should consider correctness and helpfulness. You will be given a reference answer and the assistant's answer. You evaluation should focus on the assistant's answer to the second question. Begin your evaluation by comparing the assistant's answer with the reference answer. Identify and correct any mistakes. Be as objective as possible. ${RATE}\n\n`,
    prompt_template: `<|The Start of Reference Answer|>\n\n### User:\n{question_1}\n\n### Reference answer:\n{ref_answer_1}\n\n### User:\n{question_2}\n\n### Reference answer:\n{ref_answer_2}\n\n<|The End of Reference Answer|>\n\n\n${CONVERSATION}`,
    ref_based: true,
    multi_turn: true,
  },
};

/** Python's `str.format` with named fields only (what the templates use); a missing field throws. */
export function formatPrompt(template: string, fields: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, name: string | undefined) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const value = fields[name!];
    if (value === undefined) throw new RangeError(`judge prompt field \`${name}\` has no value`);
    return value;
  });
}

/** FastChat's `one_score_pattern` and its backup: `[[8]]`, `[[7.5]]`, else `[8]`. */
const ONE_SCORE = /\[\[(\d+\.?\d*)\]\]/;
const ONE_SCORE_BACKUP = /\[(\d+\.?\d*)\]/;

/**
 * The rating in a judgment, as FastChat reads it (`run_judge_single`): the first `[[N]]`, else the
 * first `[N]`; null when there is none (FastChat records -1 and leaves it out of every average).
 */
export function extractRating(judgment: string): number | null {
  const m = ONE_SCORE.exec(judgment) ?? ONE_SCORE_BACKUP.exec(judgment);
  return m ? Number(m[1]) : null;
}
