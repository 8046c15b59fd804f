#!/usr/bin/env node
/**
 * The command line: argv → validated config → command → exit code. No logic lives here; every
 * command is a function in src/commands that code and tests can call directly.
 */
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { RunFlags } from "./config/run-config.js";
import type { RunsOptions } from "./commands/runs-command.js";
import type { SimFlags } from "./sim/flags.js";
import type { PairwiseFlags } from "./commands/pairwise-command.js";

/**
 * The old generation may grow to 1.5× what survived the last full GC before the next one (unless node was
 * started with its own --heap-growing-percent). V8's default lets it grow to about 4× while collecting is
 * cheap: a run streams many short-lived objects, and that let the CLI peak at 1.3–1.4× the bare openai-SDK
 * loop's RSS at -c 64 (bench/targets.ts); at 1.5× it peaks below the bare loop, for 2–3% more CPU. V8 reads
 * this flag at each full GC, so it holds when set after start-up.
 */
if (!process.execArgv.some((a) => a.startsWith("--heap-growing-percent"))) setFlagsFromString("--heap-growing-percent=50");

// Each command's module is imported inside its action, so --help and --version load commander alone.

/** package.json sits one folder up from both src/cli.ts and dist/cli.js. */
const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * SIGINT/SIGTERM that arrive while `run`, `estimate`, `worker` or `collect --follow` is still loading (before its
 * handler exists) are counted here and handed to the handler when it registers: a Ctrl-C or SIGTERM at any moment
 * after the command started ends it as one after loading would (a summary written; a worker's samples handed back).
 */
let heldSignals = 0;
const holdSignal = () => {
  // A second one while still starting (stuck connecting, say): leave at once, as a third does once running.
  if (++heldSignals < 2) return;
  process.stderr.write("second signal while starting: leaving now\n");
  process.exit(130);
};
function holdSignals(): void {
  process.on("SIGINT", holdSignal);
  process.on("SIGTERM", holdSignal);
}

const io = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: Boolean(process.stderr.isTTY),
  exit: (code: number) => process.exit(code),
  onSignal: (handler: () => void) => {
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    process.off("SIGINT", holdSignal);
    process.off("SIGTERM", holdSignal);
    for (; heldSignals > 0; heldSignals--) handler();
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  },
};

const program = new Command("streameval")
  .description("Evaluate language models as a stream: JSONL in, scored results out.")
  .version(version, "-V, --version", "print the version")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const run = program
  .command("run")
  .description("evaluate JSONL samples (files, or stdin when none or '-') on one or more models")
  .argument("[inputs...]", "JSONL files; none or '-' = stdin")
  .option("-t, --task <file|name>", "task YAML, or a bundled task name (gsm8k …); repeatable", collect)
  .option("-m, --model <name>", "model to evaluate; repeatable: each sample goes to every model", collect)
  .option("--base-url <url>", "OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, else OpenAI)")
  .option("--api-key-env <var>", "environment variable holding the API key (default OPENAI_API_KEY)")
  .option("-c, --concurrency <n>", "requests in flight per model (default 8)")
  .option("--rpm <n>", "requests per minute, per model")
  .option("--tpm <n>", "tokens per minute, per model")
  .option("--timeout <sec>", "per attempt (default 600)")
  .option("--ttft-timeout <sec>", "per attempt, to the first streamed chunk (default 180)")
  .option("--idle-timeout <sec>", "per attempt, between streamed chunks (default 60)")
  .option("--max-retries <n>", "retries per request after the first attempt (default 6)")
  .option("--max-retry-after <sec>", "longest wait a server may ask for before a retry; asked for more, the sample fails (default 120)")
  .option("--max-reply-bytes <n>", "a reply larger than this ends its sample as an error (default 16777216, 16 MiB)")
  .option("--max-reply-token-factor <k>", "a streamed reply longer than k × max_tokens ends its sample as an error (default 4)")
  .option("--models <file>", "models YAML: base URLs, keys, limits, prices, fallbacks per model")
  .option("--price <in/out>", "USD per 1M input/output tokens")
  .option("--budget-usd <x>", "hard spending limit: stop (exit 3) before it would be passed")
  .option("--max-tokens-total <n>", "hard limit on prompt + completion tokens for the run")
  .option("--store <dir>", "checkpoint store", ".streameval")
  .option("--no-store", "no checkpoint: record nothing, resume nothing")
  .option("--run <name>", "run id (default: a fingerprint of task, models and options)")
  .option("--fresh", "ignore (and delete) an existing checkpoint of this run")
  .option("--grace <sec>", "after Ctrl-C, seconds samples in flight get to finish before they are cancelled", "30")
  .option("--limit <n>", "only the first N samples")
  .option("--repeats <n>", "override the task's repeats (each sample scored once over them: maj@k, pass@k)")
  .option("--use-n", "ask for a sample's repeats as n choices of one request (OpenAI, vLLM)")
  .option("--allow-code-execution", "run model-generated code for tasks that need it (humaneval, mbpp, code_eval), in a sandbox")
  .option("--code-timeout <sec>", "per program: its time limit (default 3, as HF evaluate's code_eval)")
  .option("--code-memory-mb <n>", "per program: its address-space limit (default 1024)")
  .option("--code-concurrency <n>", "programs run at once (default 2)")
  .option("--route <file>", "routing rules YAML: each sample goes to the model(s) of the first rule it matches")
  .option("--num-fewshot <n>", "few-shot examples before each prompt (overrides the task's num_fewshot)")
  .option("--fewshot-file <file>", "the few-shot pool, JSONL (overrides the task's fewshot_config)")
  .option("--fewshot-as-multiturn", "show few-shot examples to chat models as user/assistant turns")
  .option("--model-family <name>", "lmms-eval's model family: picks a task's lmms_eval_specific_kwargs block (else `default`)")
  .option("--inline-media", "fetch http(s) images and audio and send them inline (default: an image URL is sent as a URL)")
  .option("--max-image-side <px>", "downscale images (and video frames) so their longer side is at most PX before sending")
  .option("--video-frames <n>", "frames sent per video, spread evenly over it (default 8; needs ffmpeg)")
  .option("--python <path>", "interpreter for a task's `!function` Python hooks (default python3 on PATH)")
  .option("-o, --output <file>", "per-sample results JSONL (default stdout)")
  .option("--summary <file>", "final summary JSON (a readable table always goes to stderr)")
  .option("--rejects <file>", "invalid input lines (default <store>/<run>/rejects.jsonl)")
  .option("--progress", "progress on stderr (default: on when stderr is a TTY)")
  .option("--no-progress", "no progress")
  .option("--strict", "the first invalid input line fails the run (exit 2)")
  .option("--judge-model <name>", "judge for LLM-graded tasks such as mt_bench (default: the task's judge.model)")
  .option("--judge-base-url <url>", "the judge's endpoint (default: the task's judge.base_url, else --base-url)")
  .option("--judge-api-key-env <var>", "environment variable holding the judge's key (default: the run's)")
  .addOption(new Option("--no-stream", "ask for whole replies instead of streams (no TTFT)"))
  .option("--continuous", "endless input (tail -f, a FIFO): rolling windows (default 60s), no total; SIGTERM flushes and exits 0")
  .option("--window <60s|1000>", "rolling window: a duration, or a count of results")
  .option("--slide <10s|100>", "a window ends every slide (default: the window, i.e. tumbling)")
  .option("--metrics-out <file>", "one JSON line per window and per alert (default stderr)")
  .option("--alert <expr>", "alert per window, e.g. 'exact_match,strict-match < 0.7' or 'error_rate > 5%'; repeatable", collect)
  .option("--exit-on-alert", "stop when an alert fires (exit 6)")
  .option("--retain <7d|N>", "--continuous: prune checkpoint records older than an age, or beyond the newest N")
  .option("--metrics-port <p>", "serve Prometheus metrics on 127.0.0.1:P/metrics while running (0 = any free port)")
  .option("--no-cache", "do not answer requests from the response cache (nor store replies in it)")
  .option("--cache-ttl <duration>", "use cached replies only when younger than this (e.g. 12h, 7d)")
  .option("--connect-timeout <sec>", "an endpoint that never answered and cannot be reached for this long stops the run, exit 4 (default 30)")
  .action(async (inputs: string[], flags: RunFlags) => {
    holdSignals();
    const [{ runCommand }, { loadModelsConfig }, { resolveRunConfig }] = await Promise.all([
      import("./commands/run-command.js"),
      import("./config/models-config.js"),
      import("./config/run-config.js"),
    ]);
    const modelsConfig = flags.models ? await loadModelsConfig(flags.models) : undefined;
    process.exitCode = await runCommand(resolveRunConfig(inputs, flags, process.env, { modelsConfig }), io);
  });

const estimate = program
  .command("estimate")
  .description("count the prompt tokens of the input offline and print the cost range per model (no API call)")
  .argument("[inputs...]", "JSONL files; none or '-' = stdin")
  .action(async (inputs: string[], flags: RunFlags) => {
    holdSignals();
    const [{ estimateCommand }, { loadModelsConfig }, { resolveRunConfig }] = await Promise.all([
      import("./commands/estimate-command.js"),
      import("./config/models-config.js"),
      import("./config/run-config.js"),
    ]);
    const modelsConfig = flags.models ? await loadModelsConfig(flags.models) : undefined;
    process.exitCode = await estimateCommand(resolveRunConfig(inputs, flags, process.env, { apiKey: false, modelsConfig }), io);
  });
// The same flags as `run`, so a run's command line can be priced by changing one word.
for (const option of run.options) estimate.addOption(option);

const enqueue = program
  .command("enqueue")
  .description("check JSONL samples and put them, with the run's definition, on a Redis queue for workers (prints the run id)")
  .argument("[inputs...]", "JSONL files; none or '-' = stdin")
  .requiredOption("--queue <url>", "redis://HOST:PORT/NAME (redis+cluster://HOST:PORT/NAME for a Redis Cluster)")
  .action(async (inputs: string[], flags: RunFlags & { queue: string }) => {
    const { enqueueCommand } = await import("./commands/enqueue-command.js");
    process.exitCode = await enqueueCommand(inputs, flags, io, process.env);
  });
// The run's flags: the queue carries the run they define (keys and the Python interpreter stay each worker's own).
for (const option of run.options) if (!["--metrics-port", "--grace", "--store", "--no-store", "--progress", "--no-progress", "-o, --output", "--summary", "--no-cache", "--cache-ttl", "--python"].includes(option.flags.split(" <")[0] as string)) enqueue.addOption(option);

program
  .command("worker")
  .description("evaluate samples from a Redis queue (one of N workers; keys from this machine's environment)")
  .requiredOption("--queue <url>", "redis://HOST:PORT/NAME (redis+cluster://HOST:PORT/NAME for a Redis Cluster)")
  .option("-c, --concurrency <n>", "requests in flight per model on this worker (default: the run's -c, else 8)")
  .option("--claim-after <sec>", "claim another worker's samples idle this long (it died)", "60")
  .option("--metrics-port <p>", "serve Prometheus metrics on 127.0.0.1:P/metrics (0 = any free port)")
  .option("--grace <sec>", "after SIGTERM, seconds samples in flight get to finish before they are cancelled and handed back", "30")
  .option("--allow-python-hooks", "run the Python hooks (!function) the queue's task files carry: code from whoever can write to that Redis")
  .option("--allow-code-execution", "run model-generated code in this machine's sandbox when the queue's run executes code (enqueued with --allow-code-execution)")
  .option("--python <path>", "this machine's interpreter for the run's Python hooks (default python3 on PATH; never the queue's)")
  .action(async (flags: { queue: string; concurrency?: string; claimAfter?: string; metricsPort?: string; grace?: string; allowPythonHooks?: boolean; allowCodeExecution?: boolean; python?: string }) => {
    holdSignals();
    const { workerCommand } = await import("./commands/worker-command.js");
    process.exitCode = await workerCommand(flags, io, process.env);
  });

program
  .command("status")
  .description("a queue's progress across workers: done, in flight, waiting, per worker, the shared budget")
  .requiredOption("--queue <url>", "redis://HOST:PORT/NAME (redis+cluster://HOST:PORT/NAME for a Redis Cluster)")
  .option("--json", "JSON instead of a table")
  .action(async (flags: { queue: string; json?: boolean }) => {
    const { statusCommand } = await import("./commands/status-command.js");
    process.exitCode = await statusCommand(flags, io);
  });

program
  .command("collect")
  .description("a queue's result lines and summary, as a local run writes them")
  .requiredOption("--queue <url>", "redis://HOST:PORT/NAME (redis+cluster://HOST:PORT/NAME for a Redis Cluster)")
  .option("-o, --output <file>", "result lines to this file (default stdout)")
  .option("--summary <file>", "summary JSON to this file (a table always goes to stderr)")
  .option("--follow", "write results as workers record them (windows and alerts over all workers), until the queue is finished or, continuous, stopped")
  .option("--drop", "then delete the queue from Redis (a finished queue with no live worker)")
  .option("--python <path>", "interpreter for the tasks' Python aggregations (`aggregation: !function`; default python3 on PATH)")
  .option("--allow-python-hooks", "run the Python aggregations the queue carries when this machine does not have their files as they were enqueued")
  .action(async (flags: { queue: string; output?: string; summary?: string; follow?: boolean; drop?: boolean; python?: string; allowPythonHooks?: boolean }) => {
    if (flags.follow) holdSignals();
    const { collectCommand } = await import("./commands/collect-command.js");
    process.exitCode = await collectCommand(flags, io, process.env);
  });

program
  .command("queue")
  .description("manage a Redis queue: drop")
  .command("drop")
  .description("delete every key of a queue from Redis (refused while workers are alive or samples are left, unless --force)")
  .requiredOption("--queue <url>", "redis://HOST:PORT/NAME (redis+cluster://HOST:PORT/NAME for a Redis Cluster)")
  .option("--force", "drop even with live workers or samples left")
  .action(async (flags: { queue: string; force?: boolean }) => {
    const { queueDropCommand } = await import("./commands/queue-drop-command.js");
    process.exitCode = await queueDropCommand(flags, io);
  });

const runs = program.command("runs").description("what the checkpoint store holds: list, show RUN, export RUN");
runs
  .command("list")
  .description("every run in the store: status, counts")
  .option("--store <dir>", "checkpoint store", ".streameval")
  .option("--json", "JSON instead of a table")
  .action(async (flags: RunsOptions) => {
    const { runsList } = await import("./commands/runs-command.js");
    process.exitCode = await runsList(flags, io);
  });
runs
  .command("show")
  .description("one run: status, counts, options and summary")
  .argument("<run>", "run id (see runs list)")
  .option("--store <dir>", "checkpoint store", ".streameval")
  .option("--json", "JSON instead of text")
  .option("--python <path>", "interpreter for Python aggregations when the summary is rebuilt (default python3 on PATH)")
  .action(async (run: string, flags: RunsOptions) => {
    const { runsShow } = await import("./commands/runs-command.js");
    process.exitCode = await runsShow(run, flags, io);
  });
runs
  .command("export")
  .description("a run's result lines (stdout or -o) and its summary, rebuilt from the store")
  .argument("<run>", "run id (see runs list)")
  .option("--store <dir>", "checkpoint store", ".streameval")
  .option("-o, --output <file>", "result lines to this file (default stdout)")
  .option("--summary <file>", "summary JSON to this file (a table always goes to stderr)")
  .option("--python <path>", "interpreter for Python aggregations (`aggregation: !function`; default python3 on PATH)")
  .action(async (run: string, flags: RunsOptions) => {
    const { runsExport } = await import("./commands/runs-command.js");
    process.exitCode = await runsExport(run, flags, io);
  });

const cache = program.command("cache").description("the response cache across runs: stats, clear");
cache
  .command("stats")
  .description("replies the cache holds, by model, and its size on disk")
  .option("--store <dir>", "checkpoint store (the cache sits inside it)", ".streameval")
  .option("--json", "JSON instead of text")
  .action(async (flags: { store: string; json?: boolean }) => {
    const { cacheStats } = await import("./commands/cache-command.js");
    process.exitCode = await cacheStats(flags, io);
  });
cache
  .command("clear")
  .description("delete every cached reply (the store's run records stay)")
  .option("--store <dir>", "checkpoint store (the cache sits inside it)", ".streameval")
  .action(async (flags: { store: string }) => {
    const { cacheClear } = await import("./commands/cache-command.js");
    process.exitCode = await cacheClear(flags, io);
  });

program
  .command("report")
  .description("one self-contained HTML page of runs: metrics with intervals, plots, comparison, a sample browser")
  .argument("<runs...>", "run ids (see runs list)")
  .requiredOption("-o, --output <file>", "the HTML file to write")
  .option("--store <dir>", "checkpoint store", ".streameval")
  .action(async (runIds: string[], flags: { output: string; store: string }) => {
    const { reportCommand } = await import("./commands/report-command.js");
    process.exitCode = await reportCommand(runIds, flags, io);
  });

program
  .command("compare")
  .description("A against B per task and metric, sample by sample: difference, paired 95% interval, McNemar's exact test")
  .argument("<a>", "run A (see runs list)")
  .argument("[b]", "run B; without it, --models M1 M2 compares two models of run A")
  .option("--models <models...>", "two models: M1 of A against M2 of B (or of A)")
  .option("--store <dir>", "checkpoint store", ".streameval")
  .option("--json", 'also print {"pairs":[…]} on stdout')
  .option("--seed <n>", "bootstrap seed", "0")
  .action(async (a: string, b: string | undefined, flags: { models?: string[]; store: string; json?: boolean; seed: string }) => {
    const { compareCommand } = await import("./commands/compare-command.js");
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed)) throw new InvalidArgumentError(`--seed: expected an integer, got ${JSON.stringify(flags.seed)}`);
    process.exitCode = await compareCommand(b === undefined ? [a] : [a, b], { ...flags, seed }, io);
  });

program
  .command("sim")
  .description("a bundled OpenAI-compatible simulator on loopback (demo, dry runs)")
  .option("--port <p>", "port (0 = any free port)", "8000")
  .option("--host <host>", "loopback address to listen on", "127.0.0.1")
  .option("--latency-ms <ms>", "latency of each reply")
  .option("--ttft-ms <ms>", "time to the first token of a reply")
  .option("--itl-ms <ms>", "time between streamed tokens")
  .option("--accuracy <p>", "share of answers that are right (with an answer key)", "0.8")
  .option("--answer-key <file>", "JSONL with the questions and their answers (e.g. a GSM8K file)")
  .option("--answer-field <name>", "the answer's field in the answer key (default target)")
  .option("--seed <n>", "seed for the choice of right and wrong answers")
  .option("--reply-format <reasoning|answer>", "reasoning ending in #### <answer> (default), or the answer alone (code completions)")
  .option("--reasoning <none|think|think-close|field>", "thinking before the answer: in <think> tags, with only </think>, or as reasoning_content")
  .option("--judge-style <plain|tricky|none>", "judge verdicts: stated once (default), worded to trip naive parsers, or absent")
  .option("--judge-position-bias <p>", "share of undecided pairwise comparisons given to the first answer shown (default 0)")
  .option("--model <name>", "a model the server knows (repeatable; default: any)", collect)
  .option("--no-usage", "report no token usage")
  .option("--api-key-env <var>", "require the key in this environment variable")
  .action(async (flags: SimFlags & { apiKeyEnv?: string }) => {
    const { simCommand } = await import("./commands/sim-command.js");
    await simCommand(flags, io, flags.apiKeyEnv ? process.env[flags.apiKeyEnv] : undefined);
  });

program
  .command("pairwise")
  .description("compare two runs' answers side by side with a judge model, in both orders (docs/judge.md)")
  .argument("<a>", "results JSONL of model A (what `run -o` writes)")
  .argument("<b>", "results JSONL of model B, paired with A on task, id and repeat")
  .option("--judge-model <name>", "the judge")
  .option("--judge-base-url <url>", "the judge's endpoint (default --base-url)")
  .option("--judge-api-key-env <var>", "environment variable holding the judge's key")
  .option("--base-url <url>", "OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, else OpenAI)")
  .option("--api-key-env <var>", "environment variable holding the key (default OPENAI_API_KEY)")
  .option("--models <file>", "models YAML: the judge's endpoint, limits and price")
  .option("--price <in/out>", "the judge's USD per 1M input/output tokens")
  .option("--budget-usd <x>", "hard limit on the judge's spending: stop (exit 3) before it would be passed")
  .option("-c, --concurrency <n>", "judge requests in flight")
  .option("--reference", "show the judge each sample's target as a reference answer")
  .option("-o, --output <file>", "one line per pair (default stdout)")
  .option("--summary <file>", "the summary JSON: win rate, interval, consistency")
  .option("--store <dir>", "where the response cache lives (default ./.streameval)")
  .option("--no-cache", "ask the judge again even for pairs it has judged")
  .action(async (a: string, b: string, flags: PairwiseFlags) => {
    const { pairwiseCommand } = await import("./commands/pairwise-command.js");
    process.exitCode = await pairwiseCommand([a, b], flags, { ...io, env: process.env });
  });

program
  .command("demo")
  .description("start the simulator and evaluate the bundled GSM8K sample (what `npm run demo` runs)")
  .option("--charts", "the bundled chart images with the chartqa task instead")
  .action(async (flags: { charts?: boolean }) => {
    const { demoCommand } = await import("./commands/demo-command.js");
    process.exitCode = await demoCommand(io, flags);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = await exitCodeForError(error);
}

async function exitCodeForError(error: unknown): Promise<number> {
  const { ExitCode } = await import("./commands/exit-codes.js");
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ExitCode.usage;
  const [{ isConfigError }, { isStoreLockedError }, { isStoreError }, { InputRejectedError }] = await Promise.all([
    import("./errors/config-error.js"),
    import("./errors/store-locked-error.js"),
    import("./errors/store-error.js"),
    import("./run.js"),
  ]);
  if (isConfigError(error) || error instanceof InputRejectedError || isStoreLockedError(error) || isStoreError(error)) {
    process.stderr.write(`streameval: ${error.message}\n`);
    return ExitCode.usage;
  }
  process.stderr.write(`streameval: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
