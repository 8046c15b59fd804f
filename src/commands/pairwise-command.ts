import { createReadStream } from "node:fs";
import type { Writable } from "node:stream";
import { comparePairwise, type PairResult } from "../compare/pairwise-judge.js";
import { resultPairs, type Unpaired } from "../compare/result-pairs.js";
import { resolveJudgeConfig } from "../config/judge-config.js";
import { loadModelsConfig } from "../config/models-config.js";
import { parsePrice } from "../cost/price.js";
import { resolvePrices } from "../cost/resolve-prices.js";
import { ConfigError } from "../errors/config-error.js";
import { readLines } from "../io/read-lines.js";
import { DEFAULT_MAX_REPLY_BYTES } from "../models/capped-fetch.js";
import { DEFAULT_MAX_REPLY_TOKEN_FACTOR } from "../models/openai-chat.js";
import { renderPairwise } from "../render/pairwise-table.js";
import { ExitCode } from "./exit-codes.js";
import { buildModelTargets } from "./model-targets.js";
import { openOutputFile } from "./output-file.js";

/** `streameval pairwise A.jsonl B.jsonl` flags, as commander parses them. */
export interface PairwiseFlags {
  readonly judgeModel?: string;
  readonly judgeBaseUrl?: string;
  readonly judgeApiKeyEnv?: string;
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
  readonly models?: string;
  readonly price?: string;
  readonly budgetUsd?: string;
  readonly concurrency?: string;
  readonly reference?: boolean;
  readonly output?: string;
  readonly summary?: string;
  readonly store?: string | false;
  readonly cache?: boolean;
}

export interface PairwiseIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `streameval pairwise A.jsonl B.jsonl --judge-model J`: pairs two result files on task, id and repeat,
 * has the judge compare each pair in both orders, writes one line per pair (stdout or `-o`), the summary
 * (`--summary`) and a table on stderr. Judge replies go through the response cache under `--store`.
 */
export async function pairwiseCommand(files: readonly string[], flags: PairwiseFlags, io: PairwiseIO): Promise<number> {
  if (files.length !== 2) throw new ConfigError(`pairwise takes two result files (A B), got ${files.length}`);
  if (!flags.judgeModel) throw new ConfigError("pairwise needs a judge: pass --judge-model NAME", { key: "--judge-model" });
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) throw new ConfigError(`expected an integer >= 1, got ${JSON.stringify(flags.concurrency)}`, { key: "--concurrency" });
  const modelsFile = flags.models ? await loadModelsConfig(flags.models) : undefined;
  const spec = resolveJudgeConfig(flags, io.env, modelsFile, true).judgeSpec(flags.judgeModel, undefined);
  const given = flags.price ? parsePrice(flags.price) : spec.price;
  const [price] = given ? [{ model: spec.name, price: given, source: "given" as const }] : await resolvePrices([spec.name], spec.baseURL ? { baseURL: spec.baseURL } : {});
  const budgetUsd = flags.budgetUsd === undefined ? undefined : Number(flags.budgetUsd);
  if (budgetUsd !== undefined && !(Number.isFinite(budgetUsd) && budgetUsd > 0)) throw new ConfigError(`expected a number > 0, got ${JSON.stringify(flags.budgetUsd)}`, { key: "--budget-usd" });
  if (budgetUsd !== undefined && !price?.price) throw new ConfigError(`no price known for the judge ${spec.name}: a USD budget needs one (give --price IN/OUT or \`price\` in the models file)`, { key: "--budget-usd" });
  const [judge] = buildModelTargets([{ ...spec, fallback: undefined, concurrency: concurrency ?? spec.concurrency }], {
    stream: false,
    prices: new Map(price ? [[spec.name, price]] : []),
    replyLimits: { maxBytes: DEFAULT_MAX_REPLY_BYTES, maxTokenFactor: DEFAULT_MAX_REPLY_TOKEN_FACTOR },
  });
  const store = flags.store === false ? undefined : (flags.store ?? ".streameval");
  const cache = store && flags.cache !== false ? await (await import("../cache/response-cache.js")).ResponseCache.open(store) : undefined;
  const out = flags.output ? await openOutputFile(flags.output) : undefined;
  const unpaired: Unpaired = { a: 0, b: 0 };
  const lines = (file: string) => readLines(createReadStream(file), file);
  try {
    const summary = await comparePairwise({
      pairs: resultPairs(lines(files[0]!), lines(files[1]!), unpaired),
      judge: judge!,
      reference: flags.reference === true,
      ...(cache ? { cache } : {}),
      ...(budgetUsd !== undefined ? { budget: { usd: budgetUsd } } : {}),
      onEvent: (event) => {
        if (event.type === "warning") io.stderr.write(`warning: ${event.message}\n`);
        else if (event.type === "stopping" && event.reason === "budget") io.stderr.write(`stopping (budget): ${event.message}\n`);
      },
      onResult: (r: PairResult) => (out ?? io.stdout).write(`${JSON.stringify(r)}\n`),
    });
    const full = { ...summary, unpaired };
    io.stderr.write(renderPairwise(full));
    if (flags.summary) await (await import("node:fs/promises")).writeFile(flags.summary, `${JSON.stringify(full, null, 2)}\n`);
    if (summary.stopped?.reason === "fatal") {
      io.stderr.write(`stopping (fatal): ${summary.stopped.message}\n`);
      return ExitCode.fatal;
    }
    if (summary.stopped?.reason === "budget") return ExitCode.budget;
    return summary.errors > 0 ? ExitCode.someFailed : ExitCode.ok;
  } finally {
    if (out) await new Promise<void>((resolve) => out.end(resolve));
    await cache?.close();
  }
}
