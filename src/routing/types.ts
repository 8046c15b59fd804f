import type { Task } from "../work/task.js";
import type { Doc, MediaRef, Sample } from "../types.js";

/** What a routing rule may look at: the sample, its task, and its rendered prompt. */
export interface RouteContext {
  readonly sample: Sample;
  readonly doc: Doc;
  readonly task: Task;
  /** The prompt as rendered for the task (few-shot examples included). */
  readonly prompt: string;
  /** The prompt's length in tokens, counted on first use (see `RoutingOptions.countTokens`). */
  readonly promptTokens: number;
  /** The sample's media (images, audio, video) as references; absent or empty for a text sample. */
  readonly media?: readonly MediaRef[];
}

/** A compiled rule: the first rule whose predicate holds chooses the models a sample goes to. */
export interface RouteRule {
  readonly name: string;
  readonly models: readonly string[];
  matches(context: RouteContext): boolean;
}

/** The route a sample takes. */
export interface RouteDecision {
  readonly rule: string;
  readonly models: readonly string[];
}
