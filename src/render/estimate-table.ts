import type { ModelEstimate } from "../cost/estimate-totals.js";
import { table } from "./summary-table.js";

/** What `streameval estimate` prints: one row per model, the cost range from prompts only to full replies. */
export function renderEstimateTable(estimates: readonly ModelEstimate[], counts: { samples: number; rejected: number; failed?: number }): string {
  const rows: string[][] = [["model", "requests", "prompt tokens", "max output tokens", "USD per 1M in/out", "cost USD (prompts only … full replies)"]];
  for (const e of estimates) {
    rows.push([
      e.model,
      String(e.requests),
      String(e.prompt_tokens),
      e.max_output_tokens === null ? "no limit" : String(e.max_output_tokens),
      e.price ? `${e.price.input}/${e.price.output} (${e.price_source === "models-file" ? "models file" : e.price_source === "flag" ? "--price" : "table"})` : "unknown",
      e.low_usd === null ? "unknown: give --price IN/OUT" : `${usd(e.low_usd)} … ${e.high_usd === null ? "no bound" : usd(e.high_usd)}`,
    ]);
  }
  const failed = counts.failed ? `, ${counts.failed} not counted (left out of the figures below; see stderr)` : "";
  const head = `estimate: ${counts.samples} sample(s)${counts.rejected ? `, ${counts.rejected} line(s) rejected` : ""}${failed}; prompt tokens counted offline, no API call made`;
  return `${head}\n\n${table(rows)}\n`;
}

/** The judge's own line: its requests, prompt tokens (with the answer length assumed) and cost range. */
export function renderEstimateJudge(j: ModelEstimate & { assumed_answer_tokens: number }): string {
  const price = j.price ? `${j.price.input}/${j.price.output} per 1M in/out (${j.price_source === "given" ? "task or models file" : j.price_source === "flag" ? "--price" : "table"})` : "price unknown";
  const cost = j.low_usd === null ? (j.model.startsWith("(") ? "unknown: name the judge with --judge-model" : "unknown: give the judge a price (judge.price in the task, the models file or --price)") : `${usd(j.low_usd)} … ${j.high_usd === null ? "no bound" : usd(j.high_usd)}`;
  const out = j.max_output_tokens === null ? "no output limit" : `max output ${j.max_output_tokens} tokens`;
  return `judge ${j.model}: ${j.requests} requests, ${j.prompt_tokens} prompt tokens (its prompts over each sample, plus ${j.assumed_answer_tokens} tokens assumed for the answers each one shows), ${out}; ${price}; cost ${cost}\n`;
}

function usd(x: number): string {
  return `$${x < 0.01 ? x.toPrecision(3) : x.toFixed(4)}`;
}

/** One stderr line per sample the estimate could not count (file:line, id, model, why), then how many more. */
export function renderEstimateFailures(e: { failed: number; failures: readonly { id: string; model: string; at?: { file: string; line: number }; message: string }[] }): string {
  const lines = e.failures.map((f) => `estimate: ${f.at ? `${f.at.file}:${f.at.line}: ` : ""}sample ${JSON.stringify(f.id)} on ${f.model} not counted: ${f.message}`);
  if (e.failed > e.failures.length) lines.push(`estimate: … and ${e.failed - e.failures.length} more not counted`);
  lines.push(`estimate: ${e.failed} sample result(s) not counted; the figures leave them out (exit 5)`);
  return `${lines.join("\n")}\n`;
}
