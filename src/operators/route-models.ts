import { mergeMap, type OperatorFunction } from "rxjs";
import { approximateTokens } from "../routing/count-tokens.js";
import { chooseRoute } from "../routing/rules.js";
import type { RouteContext, RouteRule } from "../routing/types.js";
import type { Outcome } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import type { PreparedSample } from "./expand.js";

export interface RouteModelsOptions {
  /** In order: the first rule that matches a sample chooses its models. */
  readonly rules: readonly RouteRule[];
  /** Counts a prompt's tokens, when a rule asks (default: `approximateTokens`). */
  readonly countTokens?: (text: string) => number;
  /** Receives the error line of a sample no rule matches; its place in the demand window is then freed. */
  readonly onUnrouted: (line: ResultLine) => void;
}

/** The model named in the error line of a sample that no rule routed. */
export const UNROUTED_MODEL = "(unrouted)";

/**
 * Rule-based model routing: sets each prepared sample's `models` and `route` (the rule's name) from the
 * first rule that matches it, so that `expand` sends it to those models only. A sample no rule matches
 * (or whose rule throws) does not go on: it becomes an error result (`no_route`) saying what the sample
 * looked like, through `onUnrouted`. Synchronous, one output at most per input, order kept.
 */
export function routeModels(options: RouteModelsOptions): OperatorFunction<PreparedSample, PreparedSample> {
  if (options.rules.length === 0) throw new RangeError("Expected `rules` to hold at least one rule, got none");
  const count = options.countTokens ?? approximateTokens;
  return mergeMap((p) => {
    let tokens: number | undefined;
    const context: RouteContext = {
      sample: p.sample,
      doc: p.sample.doc,
      task: p.task,
      prompt: p.prepared.input,
      ...(p.prepared.media ? { media: p.prepared.media } : {}),
      get promptTokens() {
        return (tokens ??= count(p.prepared.input));
      },
    };
    let failure: { type: string; message: string } | undefined;
    try {
      const decision = chooseRoute(options.rules, context);
      if (decision) return [{ ...p, models: decision.models, route: decision.rule }];
      const seen = [`task=${p.task.name}`, ...(tokens === undefined ? [] : [`prompt_tokens=${tokens}`])].join(", ");
      failure = { type: "no_route", message: `no routing rule matched this sample (${seen}); rules: ${options.rules.map((r) => r.name).join(", ")}. Add a catch-all rule (no \`when\`) to route every sample` };
    } catch (error) {
      failure = { type: "route_error", message: `a routing rule failed: ${(error as Error).message}` };
    }
    options.onUnrouted({
      id: p.sample.id,
      task: p.task.name,
      model: UNROUTED_MODEL,
      repeat: 0,
      status: "error",
      input: p.prepared.input,
      target: p.prepared.target,
      route: null,
      error: { ...failure, attempts: 0 },
    });
    p.done();
    return [];
  });
}

/** Records on a result line the routing rule its work item took (`route`), when the run routes. */
export function recordRoute(outcome: Outcome): Outcome {
  const route = outcome.work.route;
  return route === undefined ? outcome : { ...outcome, line: { ...outcome.line, route } };
}
