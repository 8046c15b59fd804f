import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForUpdate } from "@pydantic/genai-prices";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { priceMatchIndexSource } from "../../scripts/price-match-index.js";
import { type MatchTree, mayHavePrice } from "../../src/cost/price-match.js";
import { PRICE_MATCH_INDEX } from "../../src/cost/price-match-index.js";
import { lookupPrice } from "../../src/cost/price-table.js";

const at = new Date("2026-01-01T00:00:00Z");
// No endpoint (a loopback one is ignored), and a provider's, which the table searches first.
const endpoints = [undefined, "https://api.openai.com/v1"];

/** Names `mayHavePrice` rules out that the real table does price, at some endpoint: none, if it is right. */
const wronglyRuledOut: string[] = [];

/** Whether `mayHavePrice` ruled `name` out; a ruled-out name the real table prices is kept in `wronglyRuledOut`. */
function ruledOut(name: string): boolean {
  if (mayHavePrice(name)) return false;
  for (const baseURL of endpoints) if (lookupPrice(name, baseURL ? { baseURL, at } : { at }) !== null) wronglyRuledOut.push(`${name} at ${baseURL}`);
  return true;
}

/** The texts of an index's leaves (`^claude-2` → `claude-2`; regexes left out). */
function leafTexts(tree: MatchTree): string[] {
  if (typeof tree !== "string") return tree.slice(1).flatMap((t) => leafTexts(t));
  return tree.startsWith("/") ? [] : [tree.slice(1)];
}

describe("mayHavePrice (the price table's model names, without loading it)", () => {
  beforeEach(() => {
    wronglyRuledOut.length = 0;
  });

  it("is made from the installed table: regenerate with `npm run prices:index` after updating @pydantic/genai-prices", async () => {
    const committed = await readFile(new URL("../../src/cost/price-match-index.ts", import.meta.url), "utf8");
    expect(committed).toBe(await priceMatchIndexSource());
  });

  it("rules out none of the names the table's own models go by (their ids, with provider, re-cased)", async () => {
    const providers = (await waitForUpdate())!;
    let kept = 0;
    for (const provider of providers) {
      for (const model of provider.models) {
        for (const name of [model.id, `${provider.id}/${model.id}`, ` ${model.id.toUpperCase()} `]) if (!ruledOut(name)) kept++;
      }
    }
    expect(wronglyRuledOut).toEqual([]);
    expect(kept).toBeGreaterThan(4000);
  });

  // Every 6th of the table's ~2,000 texts, 6 ways: about 1,300 names ruled out, each looked up in the real table
  // (a ruled-out name costs the table's whole search): about 1 s alone on a loaded machine.
  it("rules out only names the real table has no price for: its leaves cut, bent, dated and re-cased", () => {
    const texts = [...new Set((JSON.parse(PRICE_MATCH_INDEX) as MatchTree[]).flatMap(leafTexts))].filter((_, i) => i % 6 === 0);
    let out = 0;
    for (const text of texts) {
      const names = [text.slice(0, -1), `x${text}`, `${text}-20240718`, `${text}-20240231`, `Z${text.toUpperCase()}`, text.replace(/[-.]/g, (c) => (c === "-" ? "." : "-"))];
      for (const name of names) if (ruledOut(name)) out++;
    }
    // The patterns of the table's regexes, and names near them.
    for (const name of ["claude-opus-5-20260101", "claude-opus-5-2026010", "grok-4.5[fast=true]", "grok-4.5[fast=maybe]", "gpt-5.4-2026-01-01", "gpt-5.4-2026-01", "x-ai/grok-4.3-20260101", "openai/gpt-6-sol-20260101", "google/gemini-3.5-flash-20260101", "gemini-3.5-flash-x", "some-tts", "some-tts-1"]) {
      if (ruledOut(name)) out++;
    }
    expect(wronglyRuledOut).toEqual([]);
    expect(out).toBeGreaterThan(1000);
  });

  it("rules out only names the real table has no price for: any text", () => {
    const name = fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9./:@-]{1,30}$/), fc.constantFrom("sim", "my-finetune-7b", "litellm/", "a/b/c"));
    fc.assert(fc.property(name, (n) => void ruledOut(n)), { numRuns: 500 });
    expect(wronglyRuledOut).toEqual([]);
  });

  it("rules out the simulator's and a local model's names, not a priced one's", () => {
    expect(["sim", "sim-model", "my-finetune-7b", "llama-local"].map(mayHavePrice)).toEqual([false, false, false, false]);
    expect(["gpt-4o-mini", "openai/gpt-4o-mini", "claude-3-5-sonnet-20241022"].map(mayHavePrice)).toEqual([true, true, true]);
  });
});

describe("resolvePrices loads the price table only for a model it may price", () => {
  /** Runs resolvePrices(models) in a fresh process; its sources, and whether the price table's package was loaded. */
  function resolvedIn(models: string[], log: string): { sources: string[]; loaded: boolean } {
    const entry = new URL("../../src/cost/resolve-prices.ts", import.meta.url).href;
    const hooks = `import { appendFileSync } from "node:fs";
      export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.PRICE_LOG, r.url + "\\n"); return r; }`;
    const code = `
      import { register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
      const { resolvePrices } = await import(${JSON.stringify(entry)});
      const prices = await resolvePrices(${JSON.stringify(models)}, { baseURL: "http://127.0.0.1:8000/v1" });
      process.stdout.write(JSON.stringify(prices.map((p) => p.source)));`;
    const sources = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, PRICE_LOG: log } })) as string[];
    const urls = readFileSync(log, "utf8").split("\n");
    // The hook sees what is loaded (so `loaded: false` means something).
    expect(urls.some((u) => u.includes("/src/cost/price-match.ts"))).toBe(true);
    return { sources, loaded: urls.some((u) => u.includes("/node_modules/@pydantic/genai-prices/")) };
  }

  it("not for the simulator's model; for gpt-4o-mini", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-prices-"));
    try {
      expect(resolvedIn(["sim"], join(dir, "sim.txt"))).toEqual({ sources: ["unknown"], loaded: false });
      expect(resolvedIn(["sim", "gpt-4o-mini"], join(dir, "both.txt"))).toEqual({ sources: ["unknown", "table"], loaded: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
