import { seededHash, toUnit } from "./hash.js";

/** How the simulated judge words its verdicts (SimOptions.judgeStyle). */
export type JudgeStyle = "plain" | "tricky" | "none";

type Scale = "pass_fail" | "1-10" | "letter";

/** What the judge needs to decide: the prompt, and the server's settings. */
export interface SimJudgeInput {
  readonly prompt: string;
  readonly seed: number;
  readonly style: JudgeStyle;
  /** Share (0..1) of undecided pairs the judge gives to the first answer shown (position bias). */
  readonly positionBias: number;
}

/**
 * A judge's reply, when the prompt is a judge's: it asks for `"[[rating]]"` (1-10), `"[[PASS]]"`,
 * `"[[grade]]"` (A–F) or, pairwise, `"[[A]]"`; else undefined. With a reference answer in the prompt
 * (`[The Start of Reference Answer]` …) the judge is right: an answer that contains the reference's
 * (see `matches`) passes, rates 8–10, grades
 * A or B; one that does not fails, rates 1–3, grades D or F. Without a reference the verdict is a hash
 * of the prompt. Pairwise, the answer matching the reference wins; when both or neither do, it is a
 * tie ("[[C]]") — unless position bias gives it to the first answer shown: decided per pair of
 * answers whatever their order, so a biased pair is biased in both orders.
 *
 * `style`: `plain` states the verdict once; `tricky` words it so that a naive parser (first bracket,
 * first number) reads the wrong one — the format restated, a changed mind, reasoning in `<think>`,
 * an out-of-scale decoy, no brackets; `none` gives no verdict at all.
 */
export function simJudgeReply(input: SimJudgeInput): string | undefined {
  const { prompt } = input;
  if (prompt.includes('"[[A]]"')) return pairwiseReply(input);
  const scale: Scale | undefined = prompt.includes('"[[rating]]"') ? "1-10" : prompt.includes('"[[PASS]]"') ? "pass_fail" : prompt.includes('"[[grade]]"') ? "letter" : undefined;
  if (!scale) return undefined;
  if (input.style === "none") return "I am not able to grade this response.";
  const h = seededHash(prompt, input.seed, 0x7a7e);
  const reference = block(prompt, "Reference Answer");
  const answer = block(prompt, "Assistant's Answer");
  const good = reference !== undefined && answer !== undefined ? matches(answer, reference) : h % 10 >= 4;
  const verdict = verdictOn(scale, good, h);
  const why = good ? "The response gives the right answer and addresses the question." : "The response does not give the right answer.";
  return input.style === "tricky" ? tricky(scale, verdict, opposite(scale, verdict), why, h) : `${why} ${label(scale)}: [[${verdict}]]`;
}

function pairwiseReply(input: SimJudgeInput): string {
  const { prompt } = input;
  if (input.style === "none") return "Both answers have merits; I cannot choose.";
  const a = block(prompt, "Assistant A's Answer") ?? "";
  const b = block(prompt, "Assistant B's Answer") ?? "";
  const reference = block(prompt, "Reference Answer");
  const aGood = reference !== undefined ? matches(a, reference) : a.length >= b.length;
  const bGood = reference !== undefined ? matches(b, reference) : b.length >= a.length;
  let verdict = aGood === bGood ? "C" : aGood ? "A" : "B";
  // The same decision whichever answer is shown first.
  const pair = [a, b].sort().join("\u0000");
  if (verdict === "C" && toUnit(seededHash(pair, input.seed, 0xb1a5)) < input.positionBias) verdict = "A";
  const why = verdict === "C" ? "The two answers are equally good." : `Assistant ${verdict}'s answer is better.`;
  if (input.style === "tricky") return `<think>Maybe [[${verdict === "A" ? "B" : "A"}]]?</think>\nThe format is "[[A]]", "[[B]]" or "[[C]]". ${why}\n\nFinal verdict: [[${verdict}]]`;
  return `${why} [[${verdict}]]`;
}

function verdictOn(scale: Scale, good: boolean, h: number): string {
  if (scale === "pass_fail") return good ? "PASS" : "FAIL";
  if (scale === "letter") return good ? (h & 1 ? "A" : "B") : h & 1 ? "D" : "F";
  return String(good ? 8 + (h % 3) : 1 + (h % 3));
}

function opposite(scale: Scale, verdict: string): string {
  if (scale === "pass_fail") return verdict === "PASS" ? "FAIL" : "PASS";
  if (scale === "letter") return ({ A: "F", B: "D", D: "B", F: "A" } as Record<string, string>)[verdict] ?? "C";
  return String(11 - Number(verdict));
}

const label = (scale: Scale) => (scale === "pass_fail" ? "Verdict" : scale === "letter" ? "Grade" : "Rating");

/** Verdict wordings that trip a naive parser; each still ends in one well-formed verdict. */
function tricky(scale: Scale, verdict: string, decoy: string, why: string, h: number): string {
  const placeholder = scale === "pass_fail" ? "PASS" : scale === "letter" ? "grade" : "rating";
  const forms = [
    `The format asks for "[[${placeholder}]]", for example "[[${decoy}]]". ${why}\n\n${label(scale)}: [[${verdict}]]`,
    `My first impression was [[${decoy}]], but after checking the answer again: ${why} ${label(scale)}: [[${verdict}]]`,
    `<think>Could it be [[${decoy}]]? Let me look again.</think>\n${why}\n\n**${label(scale)}:** [[ ${verdict} ]]`,
    scale === "1-10" ? `On a 100-point scale this would be [[${Number(verdict) * 10 + 3}]]. ${why} On the scale asked for: [[${verdict}/10]]` : `[[N/A]] does not apply here. ${why} [[${verdict}]]`,
    `${why}\n\n${label(scale)}: **${verdict}**`,
  ];
  return forms[h % forms.length]!;
}

/** The text between `[The Start of NAME]` and `[The End of NAME]`, trimmed. */
function block(prompt: string, name: string): string | undefined {
  const start = prompt.indexOf(`[The Start of ${name}]`);
  if (start < 0) return undefined;
  const from = start + name.length + 15;
  const end = prompt.indexOf(`[The End of ${name}]`, from);
  return (end < 0 ? prompt.slice(from) : prompt.slice(from, end)).trim();
}

/**
 * The answer gives the reference's: the answer's final `#### X` (else its whole text) contains the
 * reference's (its `#### N`, else its text) as words, compared without case or punctuation, and not as
 * "not X" (the sim's own wrong answers read so).
 */
function matches(answer: string, reference: string): boolean {
  const norm = (s: string) => ` ${s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim()} `;
  const final = (s: string) => /####\s*(.+?)\s*$/.exec(s)?.[1] ?? s;
  const want = norm(final(reference));
  const got = norm(final(answer));
  return want.trim() !== "" && got.includes(want) && !got.includes(` not${want}`);
}
