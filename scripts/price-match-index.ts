/**
 * Writes src/cost/price-match-index.ts: every model's match clause in the installed price table
 * (@pydantic/genai-prices), which `mayHavePrice` reads to tell a model the table has no price for without loading
 * the table. Run after updating the package (`npm run prices:index`); test/cost/price-match.test.ts fails until then.
 */
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { waitForUpdate } from "@pydantic/genai-prices";
import { matchIndexOf } from "../src/cost/price-match.js";

export async function priceMatchIndexSource(): Promise<string> {
  const providers = await waitForUpdate();
  if (!providers) throw new Error("the price table holds no providers");
  const main = createRequire(import.meta.url).resolve("@pydantic/genai-prices");
  const { version } = JSON.parse(await readFile(new URL("../package.json", `file://${main}`), "utf8")) as { version: string };
  return [
    `// Made by scripts/price-match-index.ts from @pydantic/genai-prices ${version}: do not edit.`,
    "/** Every model's match clause in the price table, as JSON of MatchTree[] (price-match.ts). */",
    `export const PRICE_MATCH_INDEX = ${JSON.stringify(JSON.stringify(matchIndexOf(providers)))};`,
    "",
  ].join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  await writeFile(new URL("../src/cost/price-match-index.ts", import.meta.url), await priceMatchIndexSource());
}
