import { defer, mergeMap, type OperatorFunction, of } from "rxjs";
import { evaluateAlert } from "./alert-eval.js";
import type { AlertRule } from "./alert-expression.js";
import type { WindowReport } from "./window-report.js";

/** A change of an alert's state in one task × model, as written to `--metrics-out`. */
export interface AlertEvent {
  readonly type: "alert";
  /** `firing` when the condition starts to hold, `resolved` when it stops. */
  readonly state: "firing" | "resolved";
  /** The expression, as given. */
  readonly alert: string;
  readonly task: string;
  readonly model: string;
  /** The window it was evaluated in. */
  readonly window: { readonly index: number; readonly start: string; readonly end: string };
  /** The compared subjects' values in that window. */
  readonly values: Record<string, number | null>;
}

/**
 * Evaluates every rule on every task × model of each window report. Passes each report on with
 * `alerts` (the rules that hold in it, in the order given), followed by one AlertEvent per
 * change: `firing` when a rule starts to hold for a task × model, `resolved` when it stops. A rule
 * that stays true fires once, not every window; an unknown outcome (no data, see `evaluateAlert`)
 * changes nothing. State is per subscription, bounded by rules × tasks × models.
 */
export function watchAlerts(rules: readonly AlertRule[]): OperatorFunction<WindowReport, WindowReport | AlertEvent> {
  const given: unknown = rules;
  if (!Array.isArray(given)) throw new TypeError(`Expected \`rules\` to be an array, got ${typeof given}`);
  return (source) =>
    defer(() => {
      const firing = new Set<string>();
      return source.pipe(
        mergeMap((report) => {
          const holding = new Set<string>();
          const changes: AlertEvent[] = [];
          for (const [task, { models }] of Object.entries(report.tasks)) {
            for (const [model, stats] of Object.entries(models)) {
              for (const rule of rules) {
                const { holds, values } = evaluateAlert(rule, stats);
                if (holds) holding.add(rule.text);
                if (holds === null) continue;
                const key = JSON.stringify([rule.text, task, model]);
                if (holds === firing.has(key)) continue;
                if (holds) firing.add(key);
                else firing.delete(key);
                changes.push({ type: "alert", state: holds ? "firing" : "resolved", alert: rule.text, task, model, window: { index: report.index, start: report.start, end: report.end }, values });
              }
            }
          }
          const alerts = rules.map((r) => r.text).filter((t) => holding.has(t));
          return of<(WindowReport | AlertEvent)[]>({ ...report, alerts }, ...changes);
        }),
      );
    });
}
