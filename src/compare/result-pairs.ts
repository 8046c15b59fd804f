import type { PairInput } from "./pairwise-judge.js";
import type { SourceLine } from "../io/read-lines.js";

/** Lines of one side that could not be paired: not ok there, not valid JSON, or absent on the other side. */
export interface Unpaired {
  a: number;
  b: number;
}

interface SideAnswer {
  readonly model: string;
  readonly response: string;
}

const keyOf = (l: { task?: unknown; id?: unknown; repeat?: unknown }) => JSON.stringify([l.task, l.id, l.repeat ?? 0]);

/** An ok result line's answer, or undefined (an error line, a line without a response, not JSON). */
function answerOf(text: string): (SideAnswer & { task: string; id: string; repeat: number; input: string; target?: string }) | undefined {
  let l: Record<string, unknown>;
  try {
    l = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (l.status !== "ok" || typeof l.response !== "string" || typeof l.id !== "string" || typeof l.task !== "string" || typeof l.model !== "string") return undefined;
  return {
    task: l.task,
    id: l.id,
    repeat: typeof l.repeat === "number" ? l.repeat : 0,
    model: l.model,
    response: l.response,
    input: typeof l.input === "string" ? l.input : "",
    ...(typeof l.target === "string" ? { target: l.target } : {}),
  };
}

/**
 * Pairs two runs' result lines (the JSONL `run` writes) on task, id and repeat: b's answers are held in
 * memory (one entry per ok line: its model and response), a's lines are streamed. Each pair carries a's
 * input as the question and a's target as the reference. `unpaired` counts what found no partner.
 */
export async function* resultPairs(a: AsyncIterable<SourceLine>, b: AsyncIterable<SourceLine>, unpaired: Unpaired): AsyncGenerator<PairInput> {
  const bs = new Map<string, SideAnswer>();
  for await (const line of b) {
    if (line.text.trim() === "") continue;
    const answer = answerOf(line.text);
    if (answer) bs.set(keyOf(answer), { model: answer.model, response: answer.response });
    else unpaired.b++;
  }
  for await (const line of a) {
    if (line.text.trim() === "") continue;
    const answer = answerOf(line.text);
    const partner = answer && bs.get(keyOf(answer));
    if (!answer || !partner) {
      unpaired.a++;
      continue;
    }
    bs.delete(keyOf(answer));
    yield {
      task: answer.task,
      id: answer.id,
      repeat: answer.repeat,
      question: answer.input,
      a: { model: answer.model, response: answer.response },
      b: partner,
      ...(answer.target !== undefined ? { reference: answer.target } : {}),
    };
  }
  unpaired.b += bs.size;
}
