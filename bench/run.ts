/**
 * `npm run bench` (which builds dist/ first): the benchmarks, printed as tables. Figures are medians of several
 * runs; each target is set beside its baseline (node -e 0, the bare openai-SDK loop) measured in the same run.
 * Options: BENCH_RUNS (default 3), BENCH_N (default 5000); see bench/targets.ts for the rest.
 */
// `npm run bench:soak` (or `npm run bench -- --soak`): the continuous-mode soak only (bench/soak.ts; minutes, not seconds).
if (process.argv.includes("--soak")) {
  await import("./soak.js");
  process.exit();
}

/** BENCH_ONLY=startup,memory,speed,flat,timeline,transport,instrumentation,resume,faults,media runs only those parts (default: all). */
const only = process.env.BENCH_ONLY?.split(",");
const part = (name: string) => only === undefined || only.includes(name);

// The targets table (bench/targets.ts): start-up, memory and speed, each beside its baseline in the same run.
if (["startup", "memory", "speed", "flat"].some(part)) await import("./targets.js");
// The 50 ms run's timeline (bench/timeline.ts): start-up, requests in flight, shutdown, CLI against the bare SDK loop.
if (part("timeline")) await import("./timeline.js");
// The transport under the SDK (bench/transport.ts): the global fetch against httpFetch (node:http).
if (part("transport")) await import("./transport.js");
// Instrumentation overhead (bench/instrumentation.ts): everything on against everything off.
if (part("instrumentation")) await import("./instrumentation.js");
// Checkpoint benchmarks: resume with 100,000 recorded samples; the cost of the store at latency 0.
if (part("resume")) await import("./resume.js");
// Fault soak (bench/fault-soak.ts): 5,000 samples through injected faults and an outage.
if (part("faults")) await import("./fault-soak.js");
// Memory with images (bench/media-memory.ts): 10,000 samples with a 1 MB image each against a text run.
if (part("media")) await import("./media-memory.js");
