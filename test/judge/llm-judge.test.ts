import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import type { ModelTarget } from "../../src/run.js";
import { type SimOptions, type SimRequest, type SimServer, startSim } from "../../src/sim/index.js";
import { extractRating } from "../../src/scorers/judge-prompts.js";
import { parseTask } from "../../src/tasks/load.js";
import type { ChatMessage, Doc, ResultLine } from "../../src/types.js";
import { contentText } from "../../src/media/content-parts.js";

type Body = { model: string; messages: ChatMessage[] };

const DOCS: Doc[] = [
  { id: "q1", question: "Which planet is known as the Red Planet?", answer: "Mars" },
  { id: "q2", question: "Who wrote the novel Pride and Prejudice?", answer: "Jane Austen" },
  { id: "q3", question: "What is the largest ocean on Earth?", answer: "Pacific Ocean" },
  { id: "q4", question: "In which city is the Colosseum?", answer: "Rome" },
  { id: "q5", question: "What is the chemical symbol for gold?", answer: "Au" },
  { id: "q6", question: "How many sides does a hexagon have?", answer: "6" },
];
const KEY = new Map(DOCS.map((d) => [d.question as string, d.answer as string]));

const TASK = `
task: qa
doc_to_text: "{{ question }}"
doc_to_target: answer
generation_kwargs: {until: [], max_gen_toks: 256}
metric_list:
  - {metric: llm_judge, name: correct, template: reference}
  - {metric: llm_judge, name: graded, template: reference, scale: letter}
  - {metric: llm_judge, name: rated, template: factual, scale: "1-10"}
`;

async function recordingSim(options: SimOptions) {
  const bodies: Body[] = [];
  const sim = await startSim({ ...options, faults: (r: SimRequest) => void bodies.push(r.body as Body) });
  return { sim, bodies };
}

const target = (sim: SimServer, model: string): ModelTarget => ({
  client: openAIChat({ model, apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) }),
  concurrency: 4,
  endpoint: sim.url,
});

async function run(model: SimServer, judge: SimServer | undefined, task = TASK, docs = DOCS) {
  const lines: ResultLine[] = [];
  const summary = await runEvaluation({
    input: docsToLines(docs),
    tasks: [parseTask(task, "qa.yaml")],
    models: [target(model, "m")],
    ...(judge ? { judge: target(judge, "judge") } : {}),
    onEvent: (e) => e.type === "result" && lines.push(e.line),
  });
  return { lines: lines.sort((a, b) => a.id.localeCompare(b.id)), summary };
}

describe("llm_judge: the sim as a judge whose verdicts trip naive parsers", { timeout: 30_000 }, () => {
  let model: SimServer;
  let thinking: SimServer;
  let judge: { sim: SimServer; bodies: Body[] };
  beforeAll(async () => {
    // accuracy 0.5: some answers right, some wrong, decided per prompt (the same on every run).
    model = await startSim({ answerKey: KEY, accuracy: 0.5, replyFormat: "answer" });
    thinking = await startSim({ answerKey: KEY, accuracy: 0.5, replyFormat: "answer", reasoning: "field" });
    judge = await recordingSim({ judgeStyle: "tricky", models: ["judge"] });
  });
  afterAll(async () => Promise.all([model.close(), thinking.close(), judge.sim.close()]));

  it("scores each criterion as its own metric, from the last well-formed verdict, on its scale", async () => {
    const { lines, summary } = await run(model, judge.sim);
    expect(lines.map((l) => l.status)).toEqual(DOCS.map(() => "ok"));
    const right: number[] = lines.map((l) => (l.response === KEY.get(l.input) ? 1 : 0));
    // Both outcomes occur, so a parser that read the decoys would disagree somewhere.
    expect(new Set(right)).toEqual(new Set([0, 1]));
    lines.forEach((l, i) => {
      const s = l.scores!;
      expect(s["correct,none"]).toBe(right[i]);
      expect(right[i] ? [3, 4] : [0, 1]).toContain(s["graded,none"]);
      expect(right[i] ? s["rated,none"]! >= 8 : s["rated,none"]! <= 3).toBe(true);
      const judgments = l.judgments as Record<string, { verdict: string; judgment: string }>;
      expect(Object.keys(judgments).sort()).toEqual(["correct,none", "graded,none", "rated,none"]);
      expect((l.judge as { model: string; requests: number }).requests).toBe(3);
    });
    // FastChat's first-bracket reading gets some of these wrong: the verdicts do trip a naive parser.
    const naive = lines.map((l) => extractRating((l.judgments as Record<string, { judgment: string }>)["rated,none"]!.judgment));
    expect(naive.some((r, i) => r !== lines[i]!.scores!["rated,none"])).toBe(true);
    const metrics = summary.models.m!.metrics;
    expect(metrics["correct,none"]!.value).toBeCloseTo(right.reduce((a, b) => a + b, 0) / right.length, 12);
    expect(metrics["correct,none"]!.n).toBe(DOCS.length);
    expect(Object.keys(metrics).sort()).toEqual(["correct,none", "graded,none", "rated,none"]);
  });

  it("keeps reasoning_content on the line apart from the response; the judge never sees it", async () => {
    judge.bodies.length = 0;
    const { lines } = await run(thinking, judge.sim);
    for (const l of lines) {
      expect(typeof l.reasoning).toBe("string");
      expect(l.response).not.toContain(l.reasoning as string);
    }
    const prompts = judge.bodies.map((b) => b.messages.map((m) => contentText(m.content)).join("\n"));
    expect(prompts.length).toBe(DOCS.length * 3);
    expect(prompts.some((p) => p.includes(lines[0]!.reasoning as string))).toBe(false);
  });

  it("strips <think> from the judge's input by default, and not with strip_reasoning: false", async () => {
    const think = await startSim({ answerKey: KEY, accuracy: 1, replyFormat: "answer", reasoning: "think-close" });
    try {
      judge.bodies.length = 0;
      const one = [DOCS[0]!];
      const task = (strip: boolean) => `task: qa\ndoc_to_text: "{{ question }}"\ndoc_to_target: answer\ngeneration_kwargs: {until: []}\nmetric_list:\n  - {metric: llm_judge, template: reference, strip_reasoning: ${strip}}\n`;
      const stripped = await run(think, judge.sim, task(true), one);
      expect(stripped.lines[0]!.response).toContain("</think>");
      expect(stripped.lines[0]!.reasoning).toBeTruthy();
      expect(stripped.lines[0]!.scores!["llm_judge,none"]).toBe(1);
      expect(judge.bodies.at(-1)!.messages.at(-1)!.content).toContain("[The Start of Assistant's Answer]\nMars\n");
      await run(think, judge.sim, task(false), one);
      expect(judge.bodies.at(-1)!.messages.at(-1)!.content).toContain("</think>");
    } finally {
      await think.close();
    }
  });

  it("a reply without a verdict is an error for that sample (judge_unparseable), never a 0", async () => {
    const mute = await startSim({ judgeStyle: "none" });
    try {
      const { lines, summary } = await run(model, mute);
      for (const l of lines) {
        expect(l.status).toBe("error");
        expect(l.error!.type).toBe("judge_unparseable");
        expect(l.error!.message).toMatch(/^judging correct,none: no pass_fail verdict in the judge's reply \("I am not able to grade this response."\)/);
        expect(l.scores).toBeUndefined();
      }
      expect(summary.models.m!.metrics["correct,none"]).toBeUndefined();
      expect(summary.models.m!.samples.error).toBe(DOCS.length);
    } finally {
      await mute.close();
    }
  });

  it("without a judge the line is an error naming --judge-model", async () => {
    const { lines } = await run(model, undefined, TASK, [DOCS[0]!]);
    expect(lines[0]!.status).toBe("error");
    expect(lines[0]!.error).toMatchObject({ type: "no_judge" });
    expect(lines[0]!.error!.message).toMatch(/--judge-model/);
  });
});
