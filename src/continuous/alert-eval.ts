import { ConfigError } from "../errors/config-error.js";
import type { AlertNode, AlertRule, AlertSubject } from "./alert-expression.js";
import type { WindowModelStats } from "./window-stats.js";

/** A condition's outcome in one task × model: true, false, or null (unknown: no data for a subject). */
export interface AlertOutcome {
  readonly holds: boolean | null;
  /** Each compared subject's value, by the name the expression used. */
  readonly values: Record<string, number | null>;
}

/** The value a subject has in one task × model of a window; null when the window has no data for it. */
export function subjectValue(subject: AlertSubject, stats: WindowModelStats): number | null {
  switch (subject.kind) {
    case "metric": {
      const v = stats.metrics[subject.key]?.value;
      return v === undefined || Number.isNaN(v) ? null : v;
    }
    case "error_rate":
      return stats.error_rate;
    case "count":
      return stats.samples[subject.field];
    case "latency":
      return stats.latency_ms[subject.name][subject.stat];
    case "cost":
      return stats.cost_usd;
    case "cost_per_hour":
      return stats.cost_per_hour_usd;
  }
}

/**
 * Evaluates a rule in three-valued (Kleene) logic: a comparison with no value (a metric with no ok
 * result in the window, latency with no reply, a rate over zero results) is unknown, `and`/`or`/`not`
 * carry unknowns as SQL does, and only `true` fires. So an idle window neither fires nor resolves
 * a metric alert, while `samples < 10` (a count, never unknown) does fire on silence.
 */
export function evaluateAlert(rule: AlertRule, stats: WindowModelStats): AlertOutcome {
  const values: Record<string, number | null> = {};
  const walk = (node: AlertNode): boolean | null => {
    switch (node.type) {
      case "compare": {
        const v = subjectValue(node.subject, stats);
        values[node.name] = v;
        return v === null ? null : compare(v, node.op, node.value);
      }
      case "not": {
        const x = walk(node.operand);
        return x === null ? null : !x;
      }
      case "and": {
        const l = walk(node.left);
        const r = walk(node.right);
        return l === false || r === false ? false : l === null || r === null ? null : true;
      }
      case "or": {
        const l = walk(node.left);
        const r = walk(node.right);
        return l === true || r === true ? true : l === null || r === null ? null : false;
      }
    }
  };
  return { holds: walk(rule.root), values };
}

function compare(v: number, op: string, threshold: number): boolean {
  switch (op) {
    case "<":
      return v < threshold;
    case "<=":
      return v <= threshold;
    case ">":
      return v > threshold;
    case ">=":
      return v >= threshold;
    case "==":
      return v === threshold;
    default:
      return v !== threshold;
  }
}

/**
 * Checks the metrics a rule names against the run's metric keys (`metric,filter`, as results carry
 * them) and resolves a bare metric name to its one key (`exact_match` → `exact_match,strict-match`
 * when that is the task's only filter). Throws a ConfigError naming the unknown or ambiguous metric
 * and listing the run's keys, so a typo fails at start-up instead of never firing.
 */
export function resolveAlertMetrics(rule: AlertRule, keys: readonly string[]): AlertRule {
  const resolve = (node: AlertNode): AlertNode => {
    if (node.type === "not") return { ...node, operand: resolve(node.operand) };
    if (node.type !== "compare") return { ...node, left: resolve(node.left), right: resolve(node.right) };
    if (node.subject.kind !== "metric" || keys.includes(node.subject.key)) return node;
    const name = node.subject.key;
    const candidates = name.includes(",") ? [] : keys.filter((k) => k.startsWith(`${name},`));
    if (candidates.length === 1) return { ...node, subject: { kind: "metric", key: candidates[0] as string } };
    const why = candidates.length > 1 ? `is ambiguous (${candidates.join(", ")}): name the filter too` : "is not a metric of this run";
    throw new ConfigError(`in ${JSON.stringify(rule.text)}: \`${name}\` at column ${node.column} ${why}; the run's metrics are ${keys.join(", ") || "(none)"}`, { key: "--alert" });
  };
  return { text: rule.text, root: resolve(rule.root) };
}

/** The metric keys results of these tasks carry: every `metric_list` metric × every filter. */
export function metricKeysOf(tasks: readonly { readonly metrics: readonly { readonly name: string }[]; readonly filters: readonly { readonly name: string }[] }[]): string[] {
  const keys = new Set<string>();
  for (const t of tasks) for (const m of t.metrics) for (const f of t.filters) keys.add(`${m.name},${f.name}`);
  return [...keys];
}
