import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcnemarExact } from "../../src/stats/mcnemar.js";
import { runCli } from "../support/cli.js";
import { makeReportRuns, REFUSED, type ReportRuns } from "./report-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let runs: ReportRuns;
let html: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (.ci/run does it)`);
  runs = await makeReportRuns();
  html = join(runs.dir, "report.html");
  const made = await runCli(["report", "mmlu", "mtb", "--store", runs.store, "-o", html]);
  expect(made.stderr).toContain("report: ");
  expect(made.code).toBe(0);
  context = await chromium.launchPersistentContext(await mkdtemp(join(runs.dir, "chromium-")), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`file://${html}`);
  await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await Promise.all(runs?.sims.map((s) => s.close()) ?? []);
  if (runs) await rm(runs.dir, { recursive: true, force: true });
});

const count = async () => (await page.locator("#count").textContent()) ?? "";
const select = async (id: string, label: string) => {
  await page.selectOption(`#${id}`, { label }, { timeout: 5000 });
};

// Each case drives headless Chromium: a few seconds quiet, past the default 30 s under a busy machine's load.
describe("the HTML report in Chromium", { timeout: 90_000 }, () => {
  it("opens offline from the file with no console error, and loads nothing but itself", async () => {
    expect(problems).toEqual([]);
    expect(requests.every((u) => u.startsWith("file://") || u.startsWith("data:"))).toBe(true);
    expect(await count()).toBe("132 of 132 samples");
  });

  it("draws its plots as SVG with data: by category, latency, over time, errors and retries, the comparison", async () => {
    const inSection = (id: string, sel: string) => page.locator(`#${id} svg ${sel}`).count();
    // 10 MMLU subjects × 2 models, a dot each; mt_bench's 3 categories × 2 models.
    expect(await inSection("categories", "circle")).toBe(10 * 2 + 3 * 2);
    expect(await inSection("latency", "rect")).toBeGreaterThan(20);
    expect(await inSection("time", "path")).toBeGreaterThanOrEqual(4);
    expect(await inSection("errors", "rect")).toBeGreaterThanOrEqual(2);
    expect(await page.locator("#errors").textContent()).toContain("retries: rate_limit");
    expect(await page.locator("#errors").textContent()).toContain("errors: bad_request");
    expect(await inSection("compare", "circle")).toBe(1 + 3);
    const results = (await page.locator("#results").textContent()) ?? "";
    expect(results).toContain("exact_match,get_response");
    expect(results).toContain("judge_score,overall");
  });

  it("filters by task, model, outcome and category, and searches text", async () => {
    await select("f-task", "mt_bench");
    expect(await count()).toBe("12 of 132 samples");
    await select("f-model", "sim-b");
    expect(await count()).toBe("6 of 132 samples");
    await select("f-task", "all");
    await select("f-model", "all");
    await select("f-outcome", "error");
    expect(await count()).toBe("1 of 132 samples");
    expect(await page.locator("#detail").textContent()).toContain("bad_request");
    await select("f-outcome", "models disagree");
    const disagree = Number((await count()).split(" ")[0]);
    expect(disagree).toBeGreaterThan(0);
    expect(disagree % 2).toBe(0);
    expect(await page.locator("#list-rows .row .tag").count()).toBe(Math.min(disagree, await page.locator("#list-rows .row").count()));
    await select("f-outcome", "all");
    await select("f-category", "logical_fallacies");
    expect(await count()).toBe("12 of 132 samples");
    await select("f-category", "all");
    await page.fill("#f-search", REFUSED.toUpperCase());
    await page.waitForFunction(() => document.querySelector("#count")?.textContent?.startsWith("2 of"), undefined, { timeout: 5000 });
    await page.fill("#f-search", "");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "132 of 132 samples", undefined, { timeout: 5000 });
  });

  it("shows a conversation turn by turn with the judge's ratings, and keeps only the rows in view in the page", async () => {
    await select("f-task", "mt_bench");
    await page.locator("#list-rows .row").first().click({ timeout: 5000 });
    const detail = (await page.locator("#detail").textContent()) ?? "";
    expect(detail).toContain("Conversation");
    expect(await page.locator("#detail .turn.user").count()).toBe(2);
    expect(await page.locator("#detail .turn.assistant").count()).toBe(2);
    expect(detail).toMatch(/Judge, turn 1 · rating \d+/);
    expect(detail).toContain("TTFT");
    await select("f-task", "all");
    expect(await page.locator("#list-rows .row").count()).toBeLessThan(40);
  });

  it("saves a screenshot", async () => {
    const shot = join(runs.dir, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(50_000);
  });
});

describe("compare on the same runs, through the CLI", { timeout: 90_000 }, () => {
  it("pairs the samples both models scored and counts McNemar's discordant pairs as the result lines say", async () => {
    const exported = await runCli(["runs", "export", "mmlu", "--store", runs.store]);
    const lines = exported.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; model: string; status: string; scores?: Record<string, number> });
    const key = "exact_match,get_response";
    const score = (model: string) => new Map(lines.filter((l) => l.model === model && l.status === "ok").map((l) => [l.id, l.scores![key]!]));
    const [a, b] = [score("sim-a"), score("sim-b")];
    const both = [...a.keys()].filter((id) => b.has(id));
    const aOnly = both.filter((id) => a.get(id) === 1 && b.get(id) === 0).length;
    const bOnly = both.filter((id) => a.get(id) === 0 && b.get(id) === 1).length;
    const mean = (m: Map<string, number>) => both.reduce((s, id) => s + m.get(id)!, 0) / both.length;

    const out = await runCli(["compare", "mmlu", "--models", "sim-a", "sim-b", "--store", runs.store, "--json"]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("A = mmlu/sim-a   B = mmlu/sim-b");
    const { pairs } = JSON.parse(out.stdout) as { pairs: { task: string; metric: string; a: { value: number }; b: { value: number }; diff: number; ci95: [number, number]; n_paired: number; unpaired: { a: number; b: number }; mcnemar: { a_only: number; b_only: number; p: number } }[] };
    expect(pairs.map((p) => [p.task, p.metric])).toEqual([["mmlu_generative", key]]);
    const [p] = pairs;
    expect(p!.n_paired).toBe(59);
    expect(p!.unpaired).toEqual({ a: 0, b: 1 });
    expect(p!.a.value).toBeCloseTo(mean(a), 12);
    expect(p!.b.value).toBeCloseTo(mean(b), 12);
    expect(p!.diff).toBeCloseTo(mean(b) - mean(a), 12);
    expect(p!.mcnemar.a_only).toBe(aOnly);
    expect(p!.mcnemar.b_only).toBe(bOnly);
    expect(p!.mcnemar.p).toBeCloseTo(mcnemarExact(aOnly, bOnly).p, 15);
    expect(p!.ci95[0]).toBeLessThanOrEqual(p!.diff);
    expect(p!.ci95[1]).toBeGreaterThanOrEqual(p!.diff);
    // Seeded: the same command gives the same interval.
    const again = JSON.parse((await runCli(["compare", "mmlu", "--models", "sim-a", "sim-b", "--store", runs.store, "--json"])).stdout) as { pairs: { ci95: [number, number] }[] };
    expect(again.pairs[0]!.ci95).toEqual(p!.ci95);
  });

  it("names what is wrong: an unknown run or model, one run without --models", async () => {
    const unknown = await runCli(["compare", "nope", "mmlu", "--store", runs.store]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run "nope"');
    const model = await runCli(["compare", "mmlu", "--models", "sim-a", "sim-z", "--store", runs.store]);
    expect(model.stderr).toContain('run mmlu has no model "sim-z" (it has sim-a, sim-b)');
    const one = await runCli(["compare", "mmlu", "--store", runs.store]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("compare with one run needs --models M1 M2");
  });
});
