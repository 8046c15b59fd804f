import { combine, seededHash, toUnit } from "./hash.js";
import { tokenize } from "./tokens.js";

/** What decides a reply. Everything is an input, so the same request gets the same reply on every run. */
export interface ReplyInput {
  /** The whole prompt text (the chat messages joined by newlines). */
  readonly prompt: string;
  /** The correct answer, when the answer key knows the prompt. */
  readonly answer: string | undefined;
  /** Probability (0..1) that a known answer is given correctly. */
  readonly accuracy: number;
  readonly seed: number;
  /** Index of the choice (`n` > 1): each choice is decided on its own. */
  readonly choice: number;
  /** `answer`: the reply is the (right or wrong) answer alone; default `reasoning`. */
  readonly format?: "reasoning" | "answer";
}

const OPENERS = [
  "Let me work it out step by step.",
  "Let's solve this step by step.",
  "I will reason through it carefully.",
  "Let me think about this one step at a time.",
];
const MIDDLES = [
  "First I note the quantities given in the question, then I combine them as it asks.",
  "Taking each part of the problem in order and keeping track of the totals:",
  "Working through the numbers one step at a time gives the result.",
  "Putting together what the question says and checking each step:",
];

/**
 * A short chain-of-thought-like reply ending with `#### <answer>` (GSM8K's answer format), after
 * "So the answer is <answer>." for tasks that extract it that way.
 *
 * With a known answer, the reply is right when hash(prompt, seed, choice) falls below `accuracy`, and
 * otherwise gives a different answer (see `wrongAnswer`). Without one, the answer is a number from the
 * hash, so unknown prompts still get a well-formed, reproducible reply.
 */
export function composeReply(input: ReplyInput): { text: string; correct: boolean | undefined } {
  const h = seededHash(input.prompt, input.seed, input.choice);
  const h2 = combine(h, 0xa5a5);
  let answer: string;
  let correct: boolean | undefined;
  if (input.answer === undefined) {
    answer = String(1 + (h2 % 100));
  } else {
    correct = toUnit(h) < input.accuracy;
    answer = correct ? input.answer : wrongAnswer(input.answer, h2);
  }
  if (input.format === "answer") return { text: answer, correct };
  const opener = OPENERS[h2 & 3]!;
  const middle = MIDDLES[(h2 >>> 2) & 3]!;
  return { text: `${opener} ${middle} So the answer is ${answer}.\n#### ${answer}`, correct };
}

const NUMBER = /^-?\d[\d,]*(\.\d+)?$/;
const LETTERS = "ABCDEFGHIJ";

/**
 * An answer that differs from `answer`, chosen by `h`: a number off by 1..9 (kept non-negative when the
 * answer is), another letter for a multiple-choice letter, else the answer prefixed with "not ".
 */
export function wrongAnswer(answer: string, h: number): string {
  const a = answer.trim();
  if (NUMBER.test(a)) {
    const value = Number(a.replace(/,/g, ""));
    const decimals = a.includes(".") ? a.length - a.indexOf(".") - 1 : 0;
    const delta = 1 + (h % 9);
    const down = (h >>> 8) & 1 && value - delta >= 0;
    return (down ? value - delta : value + delta).toFixed(decimals);
  }
  const letter = LETTERS.indexOf(a);
  if (a.length === 1 && letter >= 0) {
    const span = Math.max(4, letter + 1);
    return LETTERS[(letter + 1 + (h % (span - 1))) % span]!;
  }
  return `not ${a}`;
}

/** A reply cut as the request asks. */
export interface ShapedReply {
  readonly text: string;
  readonly tokens: readonly string[];
  readonly finish_reason: "stop" | "length";
}

/**
 * Applies `stop` and the token limit as OpenAI does: the text ends just before the earliest stop
 * sequence (which is not included; finish_reason "stop"), and a reply longer than `maxTokens` tokens
 * keeps its first `maxTokens` (finish_reason "length"). Empty stop strings are ignored.
 */
export function shapeReply(text: string, stop: readonly string[], maxTokens: number | undefined): ShapedReply {
  let cut = text.length;
  for (const s of stop) {
    if (s === "") continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < cut) cut = at;
  }
  const kept = cut < text.length ? text.slice(0, cut) : text;
  const tokens = tokenize(kept);
  if (maxTokens !== undefined && tokens.length > maxTokens) {
    const head = tokens.slice(0, maxTokens);
    return { text: head.join(""), tokens: head, finish_reason: "length" };
  }
  return { text: kept, tokens, finish_reason: "stop" };
}
