import { map, pipe } from "rxjs";
import { TaskInputError } from "../errors/task-input-error.js";
import { infer } from "../operators/infer.js";
import { GOLD_ERROR, goldIndex, pyIndex, rawTarget } from "../tasks/gold.js";
import { pyStr } from "../python/repr.js";
import type { ResultLine } from "../types.js";
import { codePoints, splitPoint } from "./loglikelihood-scores.js";
import { keyed, loglikelihoodLine, loglikelihoodRequest, type ScoredText } from "./loglikelihood-request.js";
import { multipleChoiceItems, multipleChoiceResult } from "./multiple-choice-scores.js";
import { cutOffOf, type Inferred, outcomeOf, type Prepared, type WorkItem } from "../work/work-item.js";
import type { PipelineDef } from "./types.js";
import { docPosition } from "../work/doc-position.js";

/** A multiple_choice sample: its context, its choices and the gold one. */
export interface MultipleChoicePrepared extends Prepared {
  readonly choices: readonly string[];
  /** The gold choice's index as lm-eval keeps it; GOLD_ERROR (−100) for a gold index error (scored 0, as lm-eval). */
  readonly gold: number;
  /**
   * Several inputs (lm-eval's multiple_input, as winogrande): `doc_to_text` gave the gold index, the
   * choices are the contexts, and this one continuation (`doc_to_target`) is scored after each.
   */
  readonly continuation?: string;
  /** With several inputs: the description and few-shot examples, before each context. */
  readonly prefix?: string;
}

/** The texts scored for a sample: context + target_delimiter + choice, one per choice. */
export function choiceTexts(work: WorkItem<MultipleChoicePrepared>): ScoredText[] {
  const p = work.prepared;
  const d = work.task.config.target_delimiter;
  const delimiter = typeof d === "string" ? d : " ";
  if (p.continuation !== undefined) {
    const cont = delimiter + p.continuation;
    const prefix = p.prefix ?? "";
    return p.choices.map((choice) => {
      const context = prefix + choice;
      const text = context + cont;
      return { text, split: splitPoint(context), length: codePoints(text) };
    });
  }
  const split = splitPoint(p.input);
  return p.choices.map((choice) => {
    const text = p.input + delimiter + choice;
    return { text, split, length: codePoints(text) };
  });
}

/** Pure: the result line of an inferred multiple_choice item. */
export function multipleChoiceLine(inferred: Inferred<MultipleChoicePrepared>): ResultLine {
  const { work } = inferred;
  const p = work.prepared;
  return loglikelihoodLine(inferred, choiceTexts(work), (scored) => {
    const lls = scored.map((s) => s.ll);
    const greedy = scored.map((s) => s.isGreedy);
    const r = multipleChoiceResult(lls, greedy, p.choices, p.gold);
    const answer = p.choices[r.pred] ?? "";
    // lm-eval's passthrough metrics (f1, mcc) record (gold, pred) for their corpus-level aggregation; a
    // metric aggregated in Python gets its value as lm-eval's multiple_choice scoring gives it.
    const asItems = work.task.metrics.filter((m) => m.passthrough || m.pythonAggregation);
    const items = asItems.length ? keyed<unknown>(asItems, work.task.filters, { ...r.values, ...multipleChoiceItems(lls, p.gold, r.pred) }) : {};
    const numeric = work.task.metrics.filter((m) => !m.passthrough && !m.pythonAggregation);
    return {
      response: answer,
      filtered: Object.fromEntries(work.task.filters.map((f) => [f.name, answer])),
      gold: p.gold,
      pred: r.pred,
      pred_norm: r.predNorm,
      loglikelihoods: lls,
      is_greedy: greedy,
      scores: keyed(numeric, work.task.filters, r.values),
      ...(Object.keys(items).length ? { values: items } : {}),
    };
  });
}

/**
 * `output_type: multiple_choice`, as lm-evaluation-harness scores it: the loglikelihood of each choice
 * (`target_delimiter` + choice) after the prompt, from one completions request per sample with every
 * choice as a prompt; then `acc`, `acc_norm` (and `exact_match`: the gold choice is greedy).
 */
export const multipleChoice: PipelineDef<MultipleChoicePrepared> = {
  prepare(sample, task): MultipleChoicePrepared {
    if (!task.choices) throw new Error(`task \`${task.name}\` has no doc_to_choice`);
    const choices = task.choices(sample.doc);
    if (choices.length === 0) throw new TaskInputError("doc_to_choice: no choices", "doc_to_choice");
    const value = task.promptValue?.(sample.doc);
    if (typeof value === "number" && Number.isInteger(value)) {
      // lm-eval: an index at or past the end is a gold index error; a negative one is kept (Python indexing).
      const gold = value < choices.length ? value : GOLD_ERROR;
      const continuation = task.target(sample.doc);
      // lm-eval's multiple_input_context: the description and few-shot examples before each context.
      const prefix = task.contextPrefix?.(sample.doc, docPosition(sample)) ?? "";
      return { input: choices.map((c) => prefix + c).join("\n"), target: continuation, choices, gold, continuation, ...(prefix ? { prefix } : {}) };
    }
    const raw = rawTarget(task, sample.doc);
    const gold = goldIndex(raw, choices);
    return { input: task.prompt(sample.doc, docPosition(sample)), target: gold === GOLD_ERROR ? pyStr(raw) : (pyIndex(choices, gold) ?? pyStr(raw)), choices, gold };
  },
  create: (context) =>
    pipe(
      infer(context, (work) => loglikelihoodRequest(work.key.model, choiceTexts(work))),
      map((inferred) => outcomeOf(inferred.work, multipleChoiceLine(inferred), cutOffOf(inferred))),
    ),
};
