import { buildAnswerIndex } from "./answer-index.js";
import { loadAnswerKeyFile } from "./answer-key-file.js";
import type { SimRequest } from "./faults.js";
import type { ResolvedSimOptions } from "./options.js";

/**
 * The correct answer for a request, or undefined when the key does not know it. `exact` lists the
 * strings that may equal a key outright: the sample id, the last user message, the whole prompt.
 */
export type Answerer = (prompt: string, exact: readonly (string | undefined)[], request: SimRequest) => string | undefined;

/** Builds the answerer from the options' `answerKey` (function or Map) or `answerKeyFile`. */
export async function buildAnswerer(o: ResolvedSimOptions): Promise<Answerer> {
  const key = o.answerKey;
  if (typeof key === "function") return (prompt, _exact, request) => key(prompt, request);
  const pairs = key ? key.entries() : o.answerKeyFile ? await loadAnswerKeyFile(o.answerKeyFile, { answer: o.answerField }) : undefined;
  if (!pairs) return () => undefined;
  const index = buildAnswerIndex(pairs);
  return (prompt, exact) => index.find(prompt, exact);
}
