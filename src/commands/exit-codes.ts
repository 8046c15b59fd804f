import type { Summary } from "../summary/summary.js";

/** DESIGN.md's exit codes. */
export const ExitCode = {
  ok: 0,
  usage: 2,
  budget: 3,
  fatal: 4,
  someFailed: 5,
  /** `--exit-on-alert`: an alert fired; the run stopped gracefully. */
  alert: 6,
  interrupted: 130,
} as const;

/** 0 every sample scored · 3 budget · 4 fatal API error · 5 some samples failed · 130 interrupted. */
export function exitCodeOf(summary: Summary): number {
  if (summary.stopped === "fatal") return ExitCode.fatal;
  if (summary.stopped === "budget") return ExitCode.budget;
  if (summary.stopped === "interrupted") return ExitCode.interrupted;
  const failed = Object.values(summary.tasks).some(({ models }) => Object.values(models).some((m) => m.samples.error > 0));
  return failed ? ExitCode.someFailed : ExitCode.ok;
}
