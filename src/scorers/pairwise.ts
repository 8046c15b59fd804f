import { splitReasoning } from "../tasks/filters/strip-reasoning.js";
import type { ChatMessage } from "../types.js";

/** A single-order verdict as the judge writes it: the first answer shown (A), the second (B), or a tie (C). */
export type PairVerdict = "A" | "B" | "C";

/** The winner of a pair over both orders, from model a's side: a, b, or a tie. */
export type PairWinner = "a" | "b" | "tie";

const SYSTEM =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. You should choose the assistant that follows the user's instructions and answers the user's question better. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by comparing the two responses and provide a short explanation. Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: \"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better, and \"[[C]]\" for a tie.";

const SYSTEM_REFERENCE =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. Your evaluation should consider correctness and helpfulness. You will be given a reference answer, assistant A's answer, and assistant B's answer. Your job is to evaluate which assistant's answer is better. Begin your evaluation by comparing both assistants' answers with the reference answer. Identify and correct any mistakes. Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: \"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better, and \"[[C]]\" for a tie.";

/** One side-by-side question: what was asked, the two answers in the order shown, and the reference when grading against one. */
export interface PairPrompt {
  readonly question: string;
  readonly first: string;
  readonly second: string;
  readonly reference?: string;
}

/**
 * The judge's messages for one order (pure): FastChat's pairwise prompts (`pair-v2`, and `pair-math-v1`
 * with a reference answer), asking for `[[A]]`, `[[B]]` or `[[C]]` (tie).
 */
export function pairwiseMessages(p: PairPrompt): ChatMessage[] {
  const answers = `[The Start of Assistant A's Answer]\n${p.first}\n[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\n${p.second}\n[The End of Assistant B's Answer]`;
  const reference = p.reference === undefined ? "" : `[The Start of Reference Answer]\n${p.reference}\n[The End of Reference Answer]\n\n`;
  return [
    { role: "system", content: p.reference === undefined ? SYSTEM : SYSTEM_REFERENCE },
    { role: "user", content: `[User Question]\n${p.question}\n\n${reference}${answers}` },
  ];
}

/**
 * The verdict in a pairwise judgment (pure): the judge's `<think>` set aside, the last `[[A]]`, `[[B]]`
 * or `[[C]]` (judges restate the format before answering); null when there is none.
 */
export function parsePairVerdict(reply: string): PairVerdict | null {
  let found: PairVerdict | null = null;
  for (const m of splitReasoning(reply).answer.matchAll(/\[\[\s*([ABC])\s*\]\]/g)) found = m[1] as PairVerdict;
  return found;
}

/** Both orders of one pair, combined. */
export interface CombinedVerdict {
  readonly winner: PairWinner;
  /** The two orders agree (same winner, or both a tie). */
  readonly consistent: boolean;
}

/**
 * Combines the verdict with a shown first (`ab`) and with b shown first (`ba`) (pure). They agree: that
 * winner. They disagree — the verdict flipped with the order, position bias — a tie, as FastChat counts
 * an inconsistent pair.
 */
export function combineOrders(ab: PairVerdict, ba: PairVerdict): CombinedVerdict {
  const first: PairWinner = ab === "A" ? "a" : ab === "B" ? "b" : "tie";
  const second: PairWinner = ba === "A" ? "b" : ba === "B" ? "a" : "tie";
  return first === second ? { winner: first, consistent: true } : { winner: "tie", consistent: false };
}
