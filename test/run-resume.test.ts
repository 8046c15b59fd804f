import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EvalEvent } from "../src/events.js";
import { docsToLines } from "../src/io/docs-to-lines.js";
import { functionModel } from "../src/models/function-model.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { CheckpointStore } from "../src/store/checkpoint-store.js";
import { loadTask } from "../src/tasks/load.js";
import type { ResultLine } from "../src/types.js";
import { contentText } from "../src/media/content-parts.js";

const docs = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, question: `What is ${i} + 0?`, answer: `#### ${i}`, target: String(i) }));
/** Deterministic per prompt (a resumed run must get the replies the first run got): right for even numbers. */
let calls = 0;
const model = functionModel("m", async (req) => {
  calls++;
  const n = Number(/What is (\d+)/.exec(contentText(req.messages.at(-1)?.content))?.[1]);
  return { text: `#### ${n % 2 === 0 ? n : n + 100}`, usage: { prompt_tokens: 10, completion_tokens: 3 } };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-run-resume-"));
  calls = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("evaluate with a checkpoint", () => {
  it("resuming a run whose samples were cut between repeats gives the uninterrupted run's summary", async () => {
    const task = await loadTask("gsm8k");
    const lines: ResultLine[] = [];
    const reference = await runEvaluation({
      input: docsToLines(docs), tasks: [task], models: [{ client: model, concurrency: 3 }], repeats: 3,
      onEvent: (e: EvalEvent) => e.type === "result" && lines.push(e.line),
    });
    expect(lines).toHaveLength(36);

    // A crashed run: some samples with all repeats, some with only some, some with none.
    const store = await CheckpointStore.open(dir);
    try {
      const run = store.run("r");
      const kept = lines.filter((l) => Number(l.id.slice(1)) < 4 || (Number(l.id.slice(1)) < 8 && l.repeat !== 1));
      for (const l of kept) await run.record(l);
      await run.close();
      calls = 0;
      const resumed = await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [{ client: model, concurrency: 3 }], repeats: 3, checkpoint: run });
      expect(calls).toBe(36 - kept.length);
      const [a, b] = [resumed.models.m!, reference.models.m!];
      expect(a.metrics).toEqual(b.metrics);
      expect({ ...a.samples, resumed: 0 }).toEqual(b.samples);
      expect(a.samples.resumed).toBe(kept.length);
      expect(a.usage).toEqual(b.usage);
    } finally {
      await store.close();
    }
  });

  it("reads further ahead through a resumed stretch, and back to the usual window once samples must be sent", async () => {
    const task = await loadTask("gsm8k");
    const many = Array.from({ length: 600 }, (_, i) => ({ id: `r${i}`, question: `What is ${i} + 0?`, target: String(i) }));
    const store = await CheckpointStore.open(dir);
    try {
      const run = store.run("ahead");
      // The first 400 are done; the last 200 are not.
      for (const d of many.slice(0, 400)) await run.record({ id: d.id, task: "gsm8k", model: "m", repeat: 0, status: "ok", input: "", scores: { "exact_match,strict-match": 1 } });
      await run.close();
      let pulled = 0;
      let finished = 0;
      let aheadWhileResuming = 0;
      let aheadWhileSending = 0;
      async function* input() {
        for await (const line of docsToLines(many)) {
          pulled++;
          if (finished < 400) aheadWhileResuming = Math.max(aheadWhileResuming, pulled - finished);
          yield line;
        }
      }
      const sending = functionModel("m", async () => {
        if (finished >= 440) aheadWhileSending = Math.max(aheadWhileSending, pulled - finished);
        return "#### 0";
      });
      const summary = await runEvaluation({
        input: input(), tasks: [task], models: [{ client: sending, concurrency: 4 }], checkpoint: run,
        onEvent: (e: EvalEvent) => {
          if (e.type === "result") finished++;
        },
      });
      expect(summary.models.m!.samples).toMatchObject({ total: 600, resumed: 400 });
      expect(aheadWhileResuming).toBeGreaterThan(64); // 128 while every lookup finds its samples done
      expect(aheadWhileSending).toBeLessThanOrEqual(16); // the usual 2 × concurrency, at least 16
    } finally {
      await store.close();
    }
  });

  it("a duplicate id keeps its own results: resumed, the summary equals the uninterrupted run's", async () => {
    const task = await loadTask("gsm8k");
    // q3 appears twice with different questions and targets; both lines are right.
    const dupDocs = [...docs.slice(0, 6), { id: "q3", question: "What is 40 + 0?", answer: "#### 40", target: "40" }];
    const lines: ResultLine[] = [];
    const reference = await runEvaluation({
      input: docsToLines(dupDocs), tasks: [task], models: [{ client: model, concurrency: 2 }], repeats: 2,
      onEvent: (e: EvalEvent) => e.type === "result" && lines.push(e.line),
    });
    expect(new Set(lines.map((l) => `${l.id}/${l.repeat}`)).size).toBe(14);
    expect(lines.filter((l) => l.id.startsWith("q3@")).map((l) => l.target)).toEqual(["40", "40"]);
    const store = await CheckpointStore.open(dir);
    try {
      const run = store.run("dup");
      for (const l of lines.filter((l) => l.repeat === 0 || l.id.startsWith("q3"))) await run.record(l);
      await run.close();
      const resumed = await runEvaluation({ input: docsToLines(dupDocs), tasks: [task], models: [{ client: model, concurrency: 2 }], repeats: 2, checkpoint: run });
      expect(resumed.models.m!.metrics).toEqual(reference.models.m!.metrics);
    } finally {
      await store.close();
    }
  });
});
