import { map, type OperatorFunction } from "rxjs";
import type { Outcome, WorkItem } from "../work/work-item.js";
import type { SampleScore } from "../tasks/score-repeats.js";
import type { Task } from "../work/task.js";
import type { Doc, ResultLine } from "../types.js";

export interface GatherRepeatsOptions {
  /**
   * Scores a sample's responses (in repeat order) together, as its pipeline does (PipelineDef.scoreRepeats);
   * undefined for a task whose pipeline does not: the sample takes its first repeat's scores.
   */
  readonly scoreRepeats?: ScoreRepeats;
}

/**
 * `own`: each repeat's own scores, from its line (code metrics, which ran in the sandbox, count them);
 * `doc`: the sample's, when known (filters such as multi_choice_regex read it).
 */
export type ScoreRepeats = (task: Task, responses: readonly string[], target: string | readonly string[], own: readonly (Readonly<Record<string, number>> | undefined)[], doc?: Doc) => SampleScore | undefined;

interface Pending {
  readonly k: number;
  got: number;
  errors: number;
  scored: boolean;
  readonly responses: (string | undefined)[];
  /** Code metrics: each repeat's own scores (its program's pass@1), for pass@k over the repeats. */
  readonly own: (Record<string, number> | undefined)[];
  first?: Record<string, number>;
}

/**
 * Per-sample scoring across repeats. With `repeats: k > 1` (the work item's), each sample × model
 * yields k result lines, each with its own response and that response's own scores; every one is
 * marked `repeats: k`. The line that completes the k (whichever finishes last) also carries `sample`:
 * the score of all k together, as lm-evaluation-harness scores a document once over its repeats
 * (majority_vote, take_first …), with pass@k (see scoreRepeats). The summary aggregates `sample`
 * scores for such tasks, so its numbers are lm-eval's. A sample with a failed repeat gets no `sample`
 * score (a rerun retries the failed repeat and completes it then).
 *
 * Generation tasks are scored from the responses (their pipeline's `scoreRepeats`); other output
 * types (loglikelihood …) take the first repeat's scores, as the harness's default take_first filter does.
 *
 * Memory: one entry per sample × model with some repeats still in flight. `observe` takes results
 * that do not pass through this operator (resumed from the store), so that a resumed sample completes.
 */
export class RepeatGatherer {
  readonly #pending = new Map<string, Pending>();
  readonly #scoreRepeats: ScoreRepeats | undefined;

  constructor(options: GatherRepeatsOptions = {}) {
    this.#scoreRepeats = options.scoreRepeats;
  }

  /** A resumed result: counted toward its sample, not changed (it was stored as it is). */
  observe(work: WorkItem, line: ResultLine): void {
    this.#fold(work, line, false);
  }

  /** A new result: marked, counted, and given the sample's score when it completes the sample. */
  complete(work: WorkItem, line: ResultLine): ResultLine {
    return this.#fold(work, line, true);
  }

  /**
   * `complete` for an outcome. A task scored in Python gets no `sample` here: the outcome that
   * completes its sample carries every repeat's response (`repeatResponses`) for that stage instead.
   */
  completeOutcome(outcome: Outcome): Outcome {
    this.#last = undefined;
    const line = this.#fold(outcome.work, outcome.line, true);
    const responses = this.#last;
    this.#last = undefined;
    if (responses && outcome.kind === "done") return { ...outcome, line, repeatResponses: responses };
    return line === outcome.line ? outcome : { ...outcome, line };
  }

  #last: string[] | undefined;

  /** Samples with repeats still in flight. */
  get pending(): number {
    return this.#pending.size;
  }

  #fold(work: WorkItem, line: ResultLine, fresh: boolean): ResultLine {
    const k = work.repeats;
    if (k <= 1 || line.repeat < 0 || line.repeat >= k) return line;
    const key = JSON.stringify([line.task, line.id, line.model]);
    let p = this.#pending.get(key);
    if (!p) this.#pending.set(key, (p = { k, got: 0, errors: 0, scored: false, responses: new Array<string | undefined>(k), own: [] }));
    p.got++;
    if (line.status !== "ok") p.errors++;
    if (line.sample) p.scored = true;
    p.responses[line.repeat] = typeof line.response === "string" ? line.response : "";
    if (line.repeat === 0 && line.scores) p.first = line.scores;
    p.own[line.repeat] = line.scores;
    const marked: ResultLine = fresh ? { ...line, repeats: k } : line;
    if (p.got < p.k) return marked;
    this.#pending.delete(key);
    if (!fresh || p.errors > 0 || p.scored) return marked;
    if (work.task.scoredInPython) {
      this.#last = p.responses.map((r) => r ?? "");
      return marked;
    }
    const sample = this.#score(work, line, p);
    return sample ? { ...marked, sample } : marked;
  }

  #score(work: WorkItem, line: ResultLine, p: Pending): SampleScore | undefined {
    const together = this.#scoreRepeats?.(work.task, p.responses.map((r) => r ?? ""), line.targets ?? line.target ?? "", p.own, work.sample.doc);
    if (together) return together;
    return p.first ? { filtered: {}, scores: { ...p.first }, repeats: p.k } : undefined;
  }
}

/** The operator form: each outcome's line goes through `gatherer.complete`. */
export function gatherRepeats(gatherer: RepeatGatherer): OperatorFunction<Outcome, Outcome> {
  return map((outcome) => gatherer.completeOutcome(outcome));
}
