import { compileWhen, ConditionError, type Condition, type WhenMap } from "./conditions.js";
import type { RouteContext, RouteDecision, RouteRule } from "./types.js";

/** A rule as written in code or YAML: a name, a condition (absent: always), the model(s) it sends to. */
export interface RouteSpec {
  readonly name: string;
  /** A `when` map (see conditions.ts), or a predicate in code. Absent: the rule always matches. */
  readonly when?: WhenMap | ((context: RouteContext) => boolean);
  /** One model, or several: the sample is evaluated on each. */
  readonly model: string | readonly string[];
}

/** A rule spec that cannot be compiled; `path` is where, from the list of rules (`[2, "when", "doc.x"]`). */
export class RouteSpecError extends Error {
  constructor(
    message: string,
    readonly path: readonly PropertyKey[],
  ) {
    super(message);
  }
}

/**
 * Compiles routing rules, in order: the first rule that matches a sample chooses its models. Names
 * must be distinct and models named; a rule without `when` matches everything (a catch-all, usually
 * last). Throws a RouteSpecError naming the rule and entry at fault.
 */
export function compileRoutes(specs: readonly RouteSpec[]): RouteRule[] {
  if (specs.length === 0) throw new RouteSpecError("expected at least one rule", []);
  const names = new Set<string>();
  return specs.map((spec, i) => {
    if (typeof spec.name !== "string" || spec.name === "") throw new RouteSpecError("expected a `name`", [i, "name"]);
    if (names.has(spec.name)) throw new RouteSpecError(`rule name \`${spec.name}\` is used twice`, [i, "name"]);
    names.add(spec.name);
    const models = typeof spec.model === "string" ? [spec.model] : [...spec.model];
    if (models.length === 0 || models.some((m) => typeof m !== "string" || m === "")) throw new RouteSpecError("expected a model name or a list of them", [i, "model"]);
    const twice = models.find((m, j) => models.indexOf(m) !== j);
    // Each model evaluates a sample once: a model named twice would count its results twice.
    if (twice !== undefined) throw new RouteSpecError(`model \`${twice}\` is named twice`, [i, "model"]);
    let matches: Condition;
    if (spec.when === undefined) matches = () => true;
    else if (typeof spec.when === "function") matches = spec.when;
    else {
      try {
        matches = compileWhen(spec.when);
      } catch (e) {
        if (e instanceof ConditionError) throw new RouteSpecError(e.message, [i, "when", ...e.path]);
        throw e;
      }
    }
    return { name: spec.name, models, matches };
  });
}

/** The first matching rule's decision, or undefined when no rule matches. Pure. */
export function chooseRoute(rules: readonly RouteRule[], context: RouteContext): RouteDecision | undefined {
  for (const rule of rules) {
    if (rule.matches(context)) return { rule: rule.name, models: rule.models };
  }
  return undefined;
}

/** Every model the rules can send samples to, in first-mention order. */
export function routedModels(rules: readonly RouteRule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.models))];
}
