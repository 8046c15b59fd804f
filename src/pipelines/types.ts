import type { Observable, OperatorFunction } from "rxjs";
import type { Clock } from "../clock.js";
import type { Price } from "../cost/price.js";
import type { EvalEvent } from "../events.js";
import type { ChatReply } from "../models/types.js";
import type { Dispatcher } from "../reliability/dispatcher.js";
import type { Judge } from "../scorers/judge.js";
import type { Task } from "../tasks/types.js";
import type { ErrorInfo, ResultLine, Sample, Timing, WorkKey } from "../types.js";
import type { ConversationState } from "./multi-turn-state.js";

/** A sample made ready for one task: its rendered input and target, plus what its pipeline needs. */
export interface Prepared {
  readonly input: string;
  readonly target: string;
  readonly [extra: string]: unknown;
}

/** One unit of model work: a prepared sample on one model, one repeat. */
export interface WorkItem {
  readonly key: WorkKey;
  readonly sample: Sample;
  readonly task: Task;
  readonly prepared: Prepared;
  /** Called once, when the item's result is final: frees its place in the source's demand window. */
  readonly done: () => void;
  /** The routing rule that sent the sample to this model, when the run routes. */
  readonly route?: string;
}

/** A model's answer to a work item, or why there is none. */
export interface Inferred {
  readonly work: WorkItem;
  readonly reply?: ChatReply;
  readonly timing: Timing;
  readonly error?: ErrorInfo;
  readonly cost_usd: number | null;
  /** The model that answered, when a fallback served the item. */
  readonly served_by?: string;
  /** The reply came from the response cache: nothing was sent, `cost_usd` is 0. */
  readonly cached?: boolean;
  /** What the cached reply cost when it was made (null: price unknown). */
  readonly cached_cost_usd?: number | null;
}

/** A finished work item and its result line. */
export interface Outcome {
  readonly work: WorkItem;
  readonly line: ResultLine;
}

/** What pipelines are given by the run: the model dispatchers, the event sink and run control. */
export interface PipelineContext {
  readonly dispatchers: ReadonlyMap<string, Dispatcher>;
  readonly prices: ReadonlyMap<string, Price | null>;
  readonly emit: (event: EvalEvent) => void;
  readonly clock: Clock;
  /** Aborted when the run stops dispatching for good (fatal error, second interrupt). */
  readonly signal: AbortSignal;
  /** Stop the run: no new samples are read; `fatal` also aborts requests in flight. */
  readonly stop: (reason: "budget" | "interrupted" | "fatal", message: string) => void;
  /** Repeats of every task (`--repeats`), overriding each task's `repeats`. */
  readonly repeats?: number;
  /** Ask for a sample's repeats as `n` choices of one request (`--use-n`), where a pipeline can. */
  readonly repeatsAsN?: boolean;
  /** The judge of LLM-graded tasks (its own dispatcher and price), when the run has one. */
  readonly judge?: Judge;
  /** Conversations between turns, so a resumed run continues them (default: in memory). */
  readonly conversations?: ConversationState;
  /** Each model's context window in tokens, where known. */
  readonly contextWindows?: ReadonlyMap<string, number>;
}

/** A pipeline for one output type: how to prepare a sample, and the operator that evaluates work items. */
export interface PipelineDef {
  /** Renders the sample for the task; throws TaskInputError when the sample lacks what the task needs. */
  readonly prepare: (sample: Sample, task: Task) => Prepared;
  /** Emits exactly one Outcome per WorkItem (ok or error), in completion order. */
  readonly create: (context: PipelineContext) => OperatorFunction<WorkItem, Outcome>;
}

export type PipelineRegistry = Readonly<Record<string, PipelineDef>>;

export type { Observable };
