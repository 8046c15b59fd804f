import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EvalEvent } from "../src/events.js";
import { docsToLines } from "../src/io/docs-to-lines.js";
import { functionModel } from "../src/models/function-model.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { CheckpointStore, LEVELDB_DIR, RECORDS_DIR } from "../src/store/checkpoint-store.js";
import { loadTask, parseTask } from "../src/tasks/load.js";
import type { Task } from "../src/work/task.js";
import { type ResultLine, workKeyString } from "../src/types.js";
import { contentText } from "../src/media/content-parts.js";
import { legacyTextHash, textHash } from "../src/operators/record-source.js";
import type { Summary } from "../src/summary/summary.js";

/**
 * Resume before rendering (operators/resume-recorded.ts), end to end through evaluate() with a real LevelDB:
 * a rerun reuses records without rendering their samples, and only where the fingerprint would reuse them too.
 */
const docs = Array.from({ length: 20 }, (_, i) => ({ id: i === 1 ? `q1 "é"\\` : `q${i}`, question: `What is ${i} + 0?`, target: String(i) }));
let calls = 0;
const replies = (name: string) =>
  functionModel(name, (req) => {
    calls++;
    const n = Number(/What is (\d+)/.exec(contentText(req.messages.at(-1)?.content))?.[1]);
    return { text: `#### ${n % 3 === 0 ? n + 1 : n}`, usage: { prompt_tokens: 10, completion_tokens: 3 } };
  });

const taskYaml = (docToText: string, extra = "") => `task: sums
output_type: generate_until
doc_to_text: "${docToText}"
doc_to_target: "{{target}}"
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
generation_kwargs:
  until: ["\\n"]
${extra}`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-resume-render-"));
  calls = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One session of run `r` in the store under `dir`: its summary, result events, and how many prompts it rendered. */
async function session(task: Task, model = "m", store = join(dir, "store")): Promise<{ summary: Summary; results: Extract<EvalEvent, { type: "result" }>[]; rendered: number; sent: number }> {
  let rendered = 0;
  // The same task, counting its renderings (a copy keeps its render digest).
  const counted: Task = { ...task, prompt: (doc) => (rendered++, task.prompt(doc)) };
  const s = await CheckpointStore.open(store);
  const results: Extract<EvalEvent, { type: "result" }>[] = [];
  calls = 0;
  try {
    const summary = await runEvaluation({ input: docsToLines(docs), tasks: [counted], models: [{ client: replies(model), concurrency: 4 }], checkpoint: s.run("r"), onEvent: (e) => e.type === "result" && results.push(e) });
    return { summary, results, rendered, sent: calls };
  } finally {
    await s.close();
  }
}

describe("resume before rendering", () => {
  it("reuses every record of an unchanged run without rendering a sample, with the first run's summary", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    expect(task.renderDigest).toMatch(/^sha256:/);
    const first = await session(task);
    expect(first.sent).toBe(20);
    const again = await session(task);
    expect(again.sent).toBe(0);
    expect(again.rendered).toBe(0);
    expect(again.summary.models.m!.samples).toMatchObject({ total: 20, ok: 20, resumed: 20, changed: 0 });
    expect(again.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
    expect(again.summary.tasks.sums!.models.m!.metrics).toEqual(first.summary.tasks.sums!.models.m!.metrics);
    expect(again.summary.models.m!.usage).toEqual({ ...first.summary.models.m!.usage, requests: 0 });
    expect(again.summary.models.m!.latency_ms).toEqual(first.summary.models.m!.latency_ms);
    expect(again.summary.models.m!.cost_usd).toEqual(first.summary.models.m!.cost_usd);
    // Each resumed line comes with its JSON as stored: the line made in the first run.
    const made = new Map(first.results.map((e) => [e.line.id, e.line]));
    for (const e of again.results) {
      expect(e.resumed).toBe(true);
      expect(e.line).toEqual(made.get(e.line.id));
      expect(e.json).toBe(JSON.stringify(e.line));
    }
  });

  it("sends again, and counts as changed, every sample of a changed template", async () => {
    await session(parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml"));
    const again = await session(parseTask(taskYaml("Q: What is {{question.split(' ')[2]}} + 0?"), "sums.yaml"));
    expect(again.sent).toBe(20);
    expect(again.summary.models.m!.samples).toMatchObject({ resumed: 0, changed: 20 });
  });

  it("sends again every sample whose few-shot file changed, though the task file did not", async () => {
    const file = join(dir, "sums.yaml");
    await writeFile(file, taskYaml("What is {{question.split(' ')[2]}} + 0?", "num_fewshot: 1\nfewshot_config:\n  sampler: first_n\n  file: pool.jsonl\n"));
    await writeFile(join(dir, "pool.jsonl"), `${JSON.stringify({ question: "What is 100 + 0?", target: "100" })}\n`);
    await session(await loadTask(file));
    await writeFile(join(dir, "pool.jsonl"), `${JSON.stringify({ question: "What is 200 + 0?", target: "200" })}\n`);
    const again = await session(await loadTask(file));
    expect(again.sent).toBe(20);
    expect(again.summary.models.m!.samples).toMatchObject({ resumed: 0, changed: 20 });
    // Unchanged again: reused, unrendered.
    const third = await session(await loadTask(file));
    expect([third.sent, third.rendered]).toEqual([0, 0]);
  });

  it("reuses unrendered the records of a task whose few-shot examples are drawn by position (lm-eval's default sampler)", async () => {
    const pool = JSON.stringify([100, 200, 300].map((n) => ({ question: `What is ${n} + 0?`, target: String(n) })));
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?", `num_fewshot: 1\nfewshot_config:\n  samples: ${pool}\n`), "sums.yaml");
    expect(task.fewshotByPosition).toBe(true);
    const first = await session(task);
    const again = await session(task);
    // Their sources name the line's position (`@n`): stored, so compared before rendering.
    expect([again.sent, again.rendered]).toEqual([0, 0]);
    expect(again.summary.models.m!.samples).toMatchObject({ resumed: 20, changed: 0 });
    expect(again.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
  });

  it("sends again every sample when the generation settings changed", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    await session(task);
    const again = await session({ ...task, generation: { ...task.generation, max_tokens: 7 } });
    expect(again.sent).toBe(20);
    expect(again.summary.models.m!.samples).toMatchObject({ resumed: 0, changed: 20 });
  });

  it("sends again the samples whose input line changed under the same id, and reuses the rest unrendered", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    await session(task);
    docs[3] = { ...docs[3]!, question: "What is 33 + 0?" };
    // The same doc in another spelling (keys reordered): rendered and compared by fingerprint, reused.
    const d5 = docs[5]!;
    docs[5] = { target: d5.target, question: d5.question, id: d5.id };
    try {
      const again = await session(task);
      expect(again.sent).toBe(1);
      expect(again.rendered).toBe(2);
      expect(again.summary.models.m!.samples).toMatchObject({ resumed: 19, changed: 1 });
    } finally {
      docs[3] = { id: "q3", question: "What is 3 + 0?", target: "3" };
      docs[5] = d5;
    }
  });

  it("gives no render digest to a task with Python hooks: its hook file's text is not all its rendering reads", async () => {
    const file = join(dir, "hooked.yaml");
    await writeFile(file, taskYaml("x").replace('doc_to_text: "x"', "doc_to_text: !function utils.prompt"));
    await writeFile(join(dir, "utils.py"), "def prompt(doc):\n    return doc['question']\n");
    const task = await loadTask(file);
    expect(task.pythonHooks?.length).toBe(1);
    expect(task.renderDigest).toBeUndefined();
  });

  it("resumes a store written before sources existed (plain JSON records, store layout 1), through fingerprints", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    const first = await session(task, "m", join(dir, "first"));
    // The records as an older version wrote them: the line's JSON, no source, under its work key in part `d`.
    const db = new Level<string, unknown>(join(dir, "old", LEVELDB_DIR), { valueEncoding: "json" });
    const done = db.sublevel<string, ResultLine>("run:r", { valueEncoding: "json" }).sublevel<string, ResultLine>("d", { valueEncoding: "json" });
    await done.batch(first.results.map((e) => ({ type: "put" as const, key: workKeyString(e.line), value: e.line })));
    await db.close();

    const again = await session(task, "m", join(dir, "old"));
    expect(again.sent).toBe(0);
    expect(again.rendered).toBe(20);
    expect(again.summary.models.m!.samples).toMatchObject({ resumed: 20, changed: 0 });
    expect(again.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
  });

  it("resumes records written with a source but before record_fold, unrendered, folding whole lines to the same summary", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    const first = await session(task);
    // The records as the previous version wrote them: the source as first key, no record_fold.
    const db = new Level<string, unknown>(join(dir, "store", RECORDS_DIR), { valueEncoding: "json" });
    const done = db.sublevel<string, ResultLine>("run:r", { valueEncoding: "json" }).sublevel<string, string>("r", { valueEncoding: "utf8" });
    const entries = await done.iterator().all();
    expect(entries).toHaveLength(20);
    expect(entries.every(([, v]) => v.includes('"record_fold":'))).toBe(true);
    await done.batch(entries.map(([key, v]) => ({ type: "put" as const, key, value: v.replace(/,"record_fold":"[\d.-]+"/, "") })));
    await db.close();

    const again = await session(task);
    expect(again.sent).toBe(0);
    expect(again.rendered).toBe(0);
    expect(again.summary.models.m!.samples).toMatchObject({ total: 20, resumed: 20, changed: 0 });
    expect(again.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
    expect(again.summary.models.m!.latency_ms).toEqual(first.summary.models.m!.latency_ms);
    const made = new Map(first.results.map((e) => [e.line.id, e.line]));
    for (const e of again.results) expect(e.line).toEqual(made.get(e.line.id));
  });

  /**
   * Rewrites the run's records as the version before the xxHash64 line hash wrote them: each source's line hash
   * the first 24 base64url characters of the line's sha256 (`legacyTextHash`), the rest of the record unchanged.
   */
  async function asLegacySources(store: string, texts: ReadonlyMap<string, string>): Promise<void> {
    const db = new Level<string, unknown>(join(store, RECORDS_DIR), { valueEncoding: "json" });
    const part = db.sublevel<string, ResultLine>("run:r", { valueEncoding: "json" }).sublevel<string, string>("r", { valueEncoding: "utf8" });
    const entries = await part.iterator().all();
    expect(entries).toHaveLength(20);
    const ops = entries.map(([key, v]) => {
      const id = (JSON.parse(v) as { id: string }).id;
      const text = texts.get(id)!;
      const hash = textHash(text);
      expect(v).toContain(`.${hash}`);
      return { type: "put" as const, key, value: v.replace(`.${hash}`, `.${legacyTextHash(text)}`) };
    });
    await part.batch(ops);
    await db.close();
  }
  const linesById = () => new Map(docs.map((d) => [d.id, JSON.stringify(d)]));

  it("resumes unrendered, to the same summary, records whose sources hold the older sha256 hash of the line", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    const first = await session(task);
    await asLegacySources(join(dir, "store"), linesById());
    const again = await session(task);
    expect([again.sent, again.rendered]).toEqual([0, 0]);
    expect(again.summary.models.m!.samples).toMatchObject({ total: 20, resumed: 20, changed: 0 });
    expect(again.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
    expect(again.summary.models.m!.latency_ms).toEqual(first.summary.models.m!.latency_ms);
    const made = new Map(first.results.map((e) => [e.line.id, e.line]));
    for (const e of again.results) expect(e.line).toEqual(made.get(e.line.id));
  });

  it("compares an older source's hash with the line's: a changed line under the same id is sent again", async () => {
    const pool = JSON.stringify([100, 200, 300].map((n) => ({ question: `What is ${n} + 0?`, target: String(n) })));
    // Few-shot examples drawn by position: the source ends in `@n`, after the hash.
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?", `num_fewshot: 1\nfewshot_config:\n  samples: ${pool}\n`), "sums.yaml");
    await session(task);
    await asLegacySources(join(dir, "store"), linesById());
    docs[3] = { ...docs[3]!, question: "What is 33 + 0?" };
    try {
      const again = await session(task);
      expect([again.sent, again.rendered]).toEqual([1, 1]);
      expect(again.summary.models.m!.samples).toMatchObject({ resumed: 19, changed: 1 });
    } finally {
      docs[3] = { id: "q3", question: "What is 3 + 0?", target: "3" };
    }
  });

  it("stores records as JSON (the source and fold as two more fields)", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    const first = await session(task);
    const db = new Level<string, unknown>(join(dir, "store", RECORDS_DIR), { valueEncoding: "json" });
    const values = await db.sublevel<string, ResultLine>("run:r", { valueEncoding: "json" }).sublevel<string, Record<string, unknown>>("r", { valueEncoding: "json" }).values().all();
    await db.close();
    expect(values).toHaveLength(20);
    for (const v of values) {
      expect(v.record_source).toMatch(/^[\w-]{16}\.[0-9a-f]{16}$/);
      expect(v.record_fold).toMatch(/^\d+-\d+(\.\d+-\d+)*$/);
      const { record_source: _, record_fold: __, ...line } = v;
      expect(line).toEqual(first.results.find((e) => e.line.id === line.id)?.line);
    }
    // And `runs export` reads them without the source.
    const s = await CheckpointStore.open(join(dir, "store"));
    try {
      for await (const line of s.run("r").results()) expect(line).not.toHaveProperty("record_source");
    } finally {
      await s.close();
    }
  });

  it("rejects, renames and reports the same lines when it resumes them unchecked as when it made them", async () => {
    const task = parseTask(taskYaml("What is {{question.split(' ')[2]}} + 0?"), "sums.yaml");
    const good = (n: number, id = `q${n}`, extra = "") => `{"id":"${id}","question":"What is ${n} + 0?","target":"${n}"${extra}}`;
    // After enough good lines that the resumed run reads the rest unchecked (its first lookup found them done):
    // bad lines that lead with an id a good line has after them, repeated ids, and lines read as before.
    const texts = [
      ...Array.from({ length: 60 }, (_, n) => good(n)),
      good(60, "q60").slice(0, -1),
      good(60, "q60"),
      good(61),
      good(61),
      `${good(62)} x`,
      good(62),
      good(62),
      good(63, "q63", ',"task":"sums"'),
      good(64, "q64", ',"id":"q65"'),
      good(66).replace("0?", "0?\\u0001"),
      good(67).replace("0?", "0?\u0001"),
      good(68, "q68", ',"n":{"id":"q69"}'),
      good(60, "q60").slice(0, -1),
      good(70),
    ];
    const runOnce = async () => {
      const s = await CheckpointStore.open(join(dir, "store"));
      const events: string[] = [];
      calls = 0;
      try {
        const input = (async function* () {
          for (const [i, text] of texts.entries()) yield { text, line: i + 1, file: "in.jsonl" };
        })();
        const summary = await runEvaluation({
          input,
          tasks: [task],
          models: [{ client: replies("m"), concurrency: 4 }],
          checkpoint: s.run("r"),
          onEvent: (e) => {
            if (e.type === "reject") events.push(`reject ${e.reject.at.line}: ${e.reject.reason}`);
            else if (e.type === "duplicate-id") events.push(`duplicate ${e.id} at ${e.at.line} of ${e.first.line} as ${e.as}`);
            else if (e.type === "result") events.push(`result ${e.line.id} ${e.line.status}`);
          },
        });
        return { summary, events: events.sort(), sent: calls };
      } finally {
        await s.close();
      }
    };
    const first = await runOnce();
    expect(first.sent).toBe(70);
    expect(first.events.filter((e) => e.startsWith("reject")).length).toBe(4);
    expect(first.events.filter((e) => e.startsWith("duplicate")).length).toBe(2);
    const again = await runOnce();
    expect(again.sent).toBe(0);
    expect(again.events).toEqual(first.events);
    expect(again.summary.models.m!.samples).toMatchObject({ total: 70, resumed: 70 });
    expect(again.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
  });
});
