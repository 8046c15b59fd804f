import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { WindowReport } from "../../src/continuous/window-report.js";
import type { ResultLine } from "../../src/types.js";
import { cliArgs, root } from "../support/cli.js";

/** One gsm8k input line whose question carries its answer: the sim says `ANSWER=N`'s N, so the line is right when `target` is N. */
export const gsmLine = (id: string, answer: number, target: number, fail = false): string =>
  `${JSON.stringify({ id, question: `Please repeat ANSWER=${answer} exactly.${fail ? " FAIL" : ""}`, target: String(target) })}\n`;

/** The id of a line the sim was asked about (from the prompt's `ANSWER=N`). */
export const answerOf = (body: unknown): string | undefined => /ANSWER=(\d+)/.exec(JSON.stringify(body))?.[1];

/**
 * `streameval run -t gsm8k -m sim` in a child process, stdin kept open, its stdout (result lines) and
 * stderr (window, alert and other lines) read line by line as they come.
 */
export function startContinuous(simURL: string, args: string[]) {
  const child = spawn(process.execPath, [...cliArgs, "run", "-t", "gsm8k", "-m", "sim", "--base-url", simURL, "-c", "1", "--no-progress", ...args], {
    cwd: root,
    env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const results: ResultLine[] = [];
  const windows: WindowReport[] = [];
  const alerts: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let wake = () => undefined as void;
  createInterface({ input: child.stdout }).on("line", (l) => {
    results.push(JSON.parse(l) as ResultLine);
    wake();
  });
  createInterface({ input: child.stderr }).on("line", (l) => {
    stderr.push(l);
    if (l.startsWith('{"type":"window"')) windows.push(JSON.parse(l) as WindowReport);
    if (l.startsWith('{"type":"alert"')) alerts.push(JSON.parse(l) as Record<string, unknown>);
    wake();
  });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves once `ready()` holds after some output; rejects if the process ends first. */
  const until = (ready: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (ready()) return resolve();
      wake = () => {
        if (ready()) resolve();
      };
      void exit.then(([code]) => reject(new Error(`exited ${code} while waiting:\n${stderr.join("\n")}`)));
    });
  return { child, results, windows, alerts, stderr, exit, until, write: (text: string) => child.stdin.write(text) };
}
