import { seededHash } from "./hash.js";
import type { SimReasoning } from "./options.js";

const THOUGHTS = [
  "Hmm, let me think about what is being asked before answering. A first guess could be wrong, so I check each step.",
  "Okay, the user wants an answer. Let me reason it out: maybe 7? No, I should work it out properly first.",
  "Let me consider the question carefully and double-check before I commit to an answer.",
];

/**
 * A reasoning model's reply (pure): `none` leaves it as it is; `think` puts thinking before it in
 * `<think>…</think>`; `think-close` with only `</think>` (the opening tag was in the chat template, as
 * DeepSeek-R1's is); `field` returns the thinking apart, for `reasoning_content`.
 */
export function withReasoning(reply: string, mode: SimReasoning, prompt: string, seed: number): { text: string; reasoning?: string } {
  if (mode === "none") return { text: reply };
  const thought = THOUGHTS[seededHash(prompt, seed, 0x7417) % THOUGHTS.length]!;
  if (mode === "field") return { text: reply, reasoning: thought };
  return { text: mode === "think" ? `<think>\n${thought}\n</think>\n\n${reply}` : `${thought}\n</think>\n\n${reply}` };
}
