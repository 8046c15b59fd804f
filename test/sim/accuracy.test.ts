import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { GSM8K, clientFor, gsm8kPrompt } from "./helpers.js";

interface Line {
  id: string;
  question: string;
  target: string;
}

/** Asks every question through the SDK (16 at a time) and returns the `####` answers in order. */
async function ask(sim: SimServer, lines: readonly Line[]): Promise<string[]> {
  const client = clientFor(sim);
  const answers: string[] = new Array<string>(lines.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < lines.length) {
        const i = next++;
        const r = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: gsm8kPrompt(lines[i]!.question) }] });
        answers[i] = /#### (.+)$/.exec(r.choices[0]!.message.content!)![1]!;
      }
    }),
  );
  return answers;
}

describe("accuracy over GSM8K with an answer key file", () => {
  it("answers the fixture's 116 questions correctly at the configured rate, and identically on a rerun", async () => {
    const text = await readFile(GSM8K, "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as Line);
    expect(lines).toHaveLength(116);
    const first = await startSim({ answerKeyFile: GSM8K, accuracy: 0.8, seed: 1234 });
    let answers: string[];
    try {
      answers = await ask(first, lines);
    } finally {
      await first.close();
    }
    const correct = answers.filter((a, i) => a === lines[i]!.target).length;
    // deterministic: hash(prompt, seed) decides, so this count is exact for seed 1234
    expect(correct).toBe(100);
    // a binomial(116, 0.8) count lies within 3 standard deviations (±13) of 93
    expect(Math.abs(correct - 0.8 * 116)).toBeLessThan(13);
    // wrong answers are other numbers
    answers.forEach((a, i) => a !== lines[i]!.target && expect(a).toMatch(/^-?\d+(\.\d+)?$/));

    const rerun = await startSim({ answerKeyFile: GSM8K, accuracy: 0.8, seed: 1234 });
    try {
      // a fresh server gives the same answers (a slice keeps the test quick; the exact count above covers all)
      expect(await ask(rerun, lines.slice(0, 50))).toEqual(answers.slice(0, 50));
    } finally {
      await rerun.close();
    }
  });

  it("gets every known question right at accuracy 1 and every one wrong at 0", async () => {
    const text = await readFile(GSM8K, "utf8");
    const lines = text.trim().split("\n").slice(0, 50).map((l) => JSON.parse(l) as Line);
    for (const [accuracy, expected] of [[1, 50], [0, 0]] as const) {
      const sim = await startSim({ answerKeyFile: GSM8K, accuracy });
      try {
        const answers = await ask(sim, lines);
        expect(answers.filter((a, i) => a === lines[i]!.target).length).toBe(expected);
      } finally {
        await sim.close();
      }
    }
  });
});
