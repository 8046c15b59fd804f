import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comparePairwise, type PairInput, type PairResult } from "../../src/compare/pairwise-judge.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { combineOrders, parsePairVerdict } from "../../src/scorers/pairwise.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { wilson } from "../../src/stats/win-rate.js";
import { runCli } from "../support/cli.js";

/**
 * 16 questions with a known truth: a alone is right on 6, b alone on 2, both on 4, neither on 4. A fair
 * judge (the sim, given the reference) prefers the right answer and calls the other 8 ties.
 */
const CAPITALS = ["Paris", "Rome", "Madrid", "Berlin", "Vienna", "Lisbon", "Athens", "Dublin", "Oslo", "Warsaw", "Prague", "Bern", "Sofia", "Riga", "Tallinn", "Vilnius"];
const PAIRS: PairInput[] = CAPITALS.map((city, i) => {
  const aRight = i < 6 || (i >= 8 && i < 12);
  const bRight = (i >= 6 && i < 12);
  return {
    task: "capitals",
    id: `q${i}`,
    question: `Which city is capital number ${i}?`,
    reference: city,
    a: { model: "model-a", response: aRight ? `It is ${city}.` : "I believe it is Atlantis." },
    b: { model: "model-b", response: bRight ? `${city}, of course.` : "Probably El Dorado." },
  };
});

const judgeTarget = (sim: SimServer) => ({
  client: openAIChat({ model: "judge", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) }),
  concurrency: 4,
  endpoint: sim.url,
  price: { input: 1, output: 2 },
});

describe("pairwise verdicts (pure)", () => {
  it("reads the last [[A]]/[[B]]/[[C]], after the judge's own thinking", () => {
    expect(parsePairVerdict('<think>[[B]]?</think>The format is "[[A]]", "[[B]]" or "[[C]]". A is better. [[A]]')).toBe("A");
    expect(parsePairVerdict("[[ C ]]")).toBe("C");
    expect(parsePairVerdict("[[D]] no verdict")).toBeNull();
  });

  it("combines both orders: agreement keeps the winner, a flip is a tie", () => {
    expect(combineOrders("A", "B")).toEqual({ winner: "a", consistent: true });
    expect(combineOrders("B", "A")).toEqual({ winner: "b", consistent: true });
    expect(combineOrders("C", "C")).toEqual({ winner: "tie", consistent: true });
    expect(combineOrders("A", "A")).toEqual({ winner: "tie", consistent: false });
    expect(combineOrders("A", "C")).toEqual({ winner: "tie", consistent: false });
  });

  it("Wilson's interval", () => {
    const [lo, hi] = wilson(0.625, 16);
    expect(lo).toBeCloseTo(0.3863, 3);
    expect(hi).toBeCloseTo(0.8148, 3);
  });
});

describe("pairwise comparison: position bias known, and cancelled by judging both orders", { timeout: 60_000 }, () => {
  let fair: SimServer;
  let biased: SimServer;
  beforeAll(async () => {
    // The biased judge gives every pair it cannot decide to the answer shown first; it words verdicts trickily.
    [fair, biased] = await Promise.all([startSim(), startSim({ judgePositionBias: 1, judgeStyle: "tricky" })]);
  });
  afterAll(async () => Promise.all([fair.close(), biased.close()]));

  const run = async (sim: SimServer) => {
    const results: PairResult[] = [];
    const summary = await comparePairwise({ pairs: PAIRS, judge: judgeTarget(sim), reference: true, onResult: (r) => results.push(r) });
    return { summary, results };
  };

  it("a fair judge: 6 wins, 2 losses, 8 ties; no flips", async () => {
    const { summary } = await run(fair);
    expect(summary).toMatchObject({ a: "model-a", b: "model-b", n: 16, wins_a: 6, wins_b: 2, ties: 8, win_rate_a: 0.625, consistency: 1, flip_rate: 0, errors: 0 });
    expect(summary.first_position_rate).toBe(0.5);
    expect(summary.cost_usd).toBeGreaterThan(0);
  });

  it("a judge biased to the first position: one order alone is skewed, both orders give the fair result, flips measure the bias", async () => {
    const { summary, results } = await run(biased);
    // Shown first, a "wins" the 8 undecidable pairs too: 14 of 16 in the a-first order alone.
    expect(results.filter((r) => r.verdicts?.ab === "A").length).toBe(14);
    expect(results.filter((r) => r.verdicts?.ba === "A").length).toBe(10);
    expect(summary).toMatchObject({ n: 16, wins_a: 6, wins_b: 2, ties: 8, win_rate_a: 0.625, consistency: 0.5, flip_rate: 0.5, errors: 0 });
    // 32 decisive verdicts, 24 of them for the answer shown first.
    expect(summary.first_position_rate).toBe(0.75);
    expect(summary.ci95![0]).toBeCloseTo(0.3863, 3);
    expect(results.every((r) => r.judge.requests === 2)).toBe(true);
  });

  it("a judge that gives no verdict makes error lines, left out of the rates", async () => {
    const mute = await startSim({ judgeStyle: "none" });
    try {
      const results: PairResult[] = [];
      const summary = await comparePairwise({ pairs: PAIRS.slice(0, 3), judge: judgeTarget(mute), onResult: (r) => results.push(r) });
      expect(summary).toMatchObject({ n: 0, errors: 3, win_rate_a: null, ci95: null });
      expect(results.every((r) => r.status === "error" && r.error!.type === "judge_unparseable")).toBe(true);
    } finally {
      await mute.close();
    }
  });
});

describe("CLI: streameval pairwise A.jsonl B.jsonl", { timeout: 90_000 }, () => {
  let judge: SimServer;
  let dir: string;
  beforeAll(async () => {
    judge = await startSim({ models: ["judge-x"] });
    dir = await mkdtemp(join(tmpdir(), "streameval-pairwise-"));
    const line = (p: PairInput, side: "a" | "b") => JSON.stringify({ id: p.id, task: p.task, model: p[side].model, repeat: 0, status: "ok", input: p.question, response: p[side].response, target: p.reference });
    await writeFile(join(dir, "a.jsonl"), `${PAIRS.map((p) => line(p, "a")).join("\n")}\n`);
    // B misses one sample and failed another: both left unpaired.
    const bLines = PAIRS.slice(0, 15).map((p, i) => (i === 14 ? JSON.stringify({ id: p.id, task: p.task, model: "model-b", repeat: 0, status: "error", input: p.question }) : line(p, "b")));
    await writeFile(join(dir, "b.jsonl"), `${bLines.join("\n")}\n`);
  });
  afterAll(async () => {
    await judge.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a line per pair and the summary; a rerun asks the judge nothing (response cache)", async () => {
    const args = ["pairwise", join(dir, "a.jsonl"), join(dir, "b.jsonl"), "--judge-model", "judge-x", "--judge-base-url", judge.url, "--reference", "--price", "1/2", "--summary", join(dir, "s.json"), "--store", join(dir, "store")];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split("\n")).toHaveLength(14);
    const summary = JSON.parse(await readFile(join(dir, "s.json"), "utf8")) as Record<string, unknown>;
    expect(summary).toMatchObject({ a: "model-a", b: "model-b", judge: "judge-x", n: 14, wins_a: 6, wins_b: 2, ties: 6, unpaired: { a: 2, b: 1 } });
    expect(first.stderr).toMatch(/model-a win rate 64\.3% \(95% CI/);
    expect(judge.stats().requests).toBe(28);
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(judge.stats().requests).toBe(28);
    expect(JSON.parse(await readFile(join(dir, "s.json"), "utf8"))).toMatchObject({ n: 14, wins_a: 6, cost_usd: 0 });
  });

  it("--budget-usd holds the judge's spending: worst cases reserved, exit 3 once spent, the rest undone; a rerun with more finishes", async () => {
    const store = join(dir, "budget-store");
    const summaryPath = join(dir, "budget.json");
    const args = (usd: string) => ["pairwise", join(dir, "a.jsonl"), join(dir, "b.jsonl"), "--judge-model", "judge-x", "--judge-base-url", judge.url, "--reference", "--price", "1/2", "--budget-usd", usd, "--summary", summaryPath, "--store", store, "-c", "2"];
    const before = judge.stats().requests;
    // A call's worst case is its prompt plus 2048 tokens at $2/1M (~$0.0045); $0.006 leaves room for a few calls only.
    const first = await runCli(args("0.006"));
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(/stopping \(budget\): /);
    expect(first.stderr).toMatch(/not judged \d+ \(the budget ran out/);
    const s = JSON.parse(await readFile(summaryPath, "utf8")) as { n: number; errors: number; undone: number; cost_usd: number; stopped: { reason: string }; budget: { usd: { spent: number }; exhausted: boolean } };
    expect(s.stopped.reason).toBe("budget");
    expect(s.budget.exhausted).toBe(true);
    expect(s.cost_usd).toBeGreaterThan(0);
    expect(s.cost_usd).toBeLessThanOrEqual(0.006);
    expect(s.budget.usd.spent).toBeLessThanOrEqual(0.006);
    // What the summary says the judge cost is what the budget was charged, pairs left undone included.
    expect(s.cost_usd).toBeCloseTo(s.budget.usd.spent, 8);
    expect(s.undone).toBeGreaterThan(0);
    expect(s.n + s.errors + s.undone).toBe(14);
    const lines = first.stdout.trim() === "" ? [] : first.stdout.trim().split("\n");
    expect(lines).toHaveLength(s.n + s.errors);
    // Far fewer requests than the 28 of a full comparison went out.
    const sent = judge.stats().requests - before;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(10);
    const again = await runCli(args("1"));
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(summaryPath, "utf8"))).toMatchObject({ n: 14, undone: 0, stopped: null });
  });

  it("--budget-usd needs the judge's price (exit 2)", async () => {
    const { code, stderr } = await runCli(["pairwise", join(dir, "a.jsonl"), join(dir, "b.jsonl"), "--judge-model", "no-such-judge-in-the-table", "--judge-base-url", judge.url, "--budget-usd", "1", "--no-cache"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no price known for the judge no-such-judge-in-the-table: a USD budget needs one/);
  });

  it("needs --judge-model (exit 2)", async () => {
    const { code, stderr } = await runCli(["pairwise", join(dir, "a.jsonl"), join(dir, "b.jsonl")]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--judge-model/);
  });
});
