import type { Clock } from "../clock.js";
import type { Price } from "../cost/price.js";
import type { EvalEvent } from "../events.js";
import type { Dispatcher } from "../reliability/dispatcher.js";
import type { CodeSandbox } from "../python/sandbox/code-sandbox.js";
import type { Judge } from "../scorers/judge.js";
import type { ConversationState } from "../work/conversation-state.js";

/** What the run gives a pipeline's stages: the model dispatchers, the event sink and run control. */
export interface PipelineContext {
  readonly dispatchers: ReadonlyMap<string, Dispatcher>;
  readonly prices: ReadonlyMap<string, Price | null>;
  readonly emit: (event: EvalEvent) => void;
  readonly clock: Clock;
  /** Aborted when the run stops dispatching for good (fatal error, second interrupt). */
  readonly signal: AbortSignal;
  /** Stop the run: no new samples are read; `fatal` also aborts requests in flight. */
  readonly stop: (reason: "budget" | "interrupted" | "fatal", message: string) => void;
  /** Ask for a sample's repeats as `n` choices of one request (`--use-n`), where a pipeline can. */
  readonly repeatsAsN?: boolean;
  /** The judge of LLM-graded tasks (its own dispatcher and price), when the run has one. */
  readonly judge?: Judge;
  /** Conversations between turns, so a resumed run continues them (default: in memory). */
  readonly conversations?: ConversationState;
  /** Runs generated programs for code metrics (code_eval); absent unless code execution was allowed. */
  readonly codeSandbox?: CodeSandbox;
  /** Each model's context window in tokens, where known. */
  readonly contextWindows?: ReadonlyMap<string, number>;
}
