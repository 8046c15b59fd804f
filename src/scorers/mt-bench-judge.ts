import type { ChatMessage } from "../types.js";
import { formatPrompt, JUDGE_PROMPTS } from "./judge-prompts.js";
import { type JudgePromptName } from "../work/judgment.js";

/** A conversation to grade, one turn at a time. */
export interface JudgeInput {
  /** The user turns. */
  readonly questions: readonly string[];
  /** The assistant's replies, one per turn (at least up to the graded one). */
  readonly answers: readonly string[];
  /** The graded turn, 0-based. */
  readonly turn: number;
  /** Reference answers per turn: given, the reference-based (math) prompts are used. */
  readonly references?: readonly string[];
}

export interface JudgeRequest {
  readonly prompt: JudgePromptName;
  /** System message, then the filled-in template as the user message. */
  readonly messages: readonly ChatMessage[];
}

/** MT-Bench grades at most two turns: the second one in view of the first. */
export const MT_BENCH_MAX_TURNS = 2;

/**
 * The judge messages for one turn, as FastChat's `run_judge_single` builds them: turn 1 with
 * `single-v1` (question, answer), turn 2 with `single-v1-multi-turn` (both turns); with references,
 * the `single-math-v1` variants, which also show `ref_answer_1` and `ref_answer_2`. Pure; throws a
 * RangeError for a turn MT-Bench cannot grade or a missing answer or reference.
 */
export function mtBenchJudgeRequest(input: JudgeInput): JudgeRequest {
  const { questions, answers, turn, references } = input;
  if (!Number.isInteger(turn) || turn < 0 || turn >= Math.min(questions.length, MT_BENCH_MAX_TURNS)) {
    throw new RangeError(`Expected \`turn\` to be 0 or 1 and within the ${questions.length} turn(s), got ${turn}`);
  }
  if (turn === 1 && questions.length !== 2) throw new RangeError(`MT-Bench grades a second turn only in a two-turn conversation, got ${questions.length} turns`);
  const multiTurn = turn === 1;
  const refBased = references !== undefined;
  const name: JudgePromptName = multiTurn ? (refBased ? "single-math-v1-multi-turn" : "single-v1-multi-turn") : refBased ? "single-math-v1" : "single-v1";
  const prompt = JUDGE_PROMPTS[name];
  const answer = (i: number) => {
    const a = answers[i];
    if (a === undefined) throw new RangeError(`no answer for turn ${i + 1}`);
    return a;
  };
  const fields: Record<string, string> = {};
  if (refBased) {
    const needed = multiTurn ? 2 : 1;
    if (references.length < needed) throw new RangeError(`Expected ${needed} reference answer(s), got ${references.length}`);
    fields.ref_answer_1 = references[0]!;
    if (references[1] !== undefined) fields.ref_answer_2 = references[1];
  }
  if (multiTurn) Object.assign(fields, { question_1: questions[0]!, question_2: questions[1]!, answer_1: answer(0), answer_2: answer(1) });
  else Object.assign(fields, { question: questions[0]!, answer: answer(0) });
  return {
    prompt: name,
    messages: [
      { role: "system", content: prompt.system_prompt },
      { role: "user", content: formatPrompt(prompt.prompt_template, fields) },
    ],
  };
}
