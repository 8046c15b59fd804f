import { defer, mergeMap, pipe } from "rxjs";
import { judgeMetrics } from "../operators/judge-metrics.js";
import { createContextFitter } from "../context/context-fitter.js";
import { TaskInputError } from "../errors/task-input-error.js";
import { cacheMark, inferOne } from "../operators/infer.js";
import { cutAtStop } from "../operators/score.js";
import { judgeTurn } from "../scorers/judge.js";
import { MT_BENCH_MAX_TURNS, mtBenchJudgeRequest } from "../scorers/mt-bench-judge.js";
import { conversationFields } from "../tasks/conversation-fields.js";
import type { ConversationConfig, JudgeConfig } from "../tasks/conversation-keys.js";
import type { ChatMessage, ErrorInfo, MessageContent } from "../types.js";
import { contentText, placeMedia } from "../media/content-parts.js";
import { conversationLine } from "./multi-turn-result.js";
import { type ConversationState, memoryConversationState, type TurnRecord } from "../work/conversation-state.js";
import { chatRequestOf, dataContent, mediaField, sampleMedia } from "./chat-request.js";
import { type CutOffCause, type Outcome, outcomeOf, type Prepared, type WorkItem } from "../work/work-item.js";
import type { PipelineContext } from "../operators/pipeline-context.js";
import type { PipelineDef } from "./types.js";

/** A conversation made ready: its user turns, and what grading it needs. */
export interface MultiTurnPrepared extends Prepared {
  /** The user turns' text (what the result line shows). */
  readonly turns: readonly string[];
  /** The user turns as sent, when the sample has media: content parts with the images and audio in place. */
  readonly contents?: readonly MessageContent[];
  /** Reference answers per turn, when the judge grades this sample against them. */
  readonly reference?: readonly string[];
  /** The sample's temperature from `temperature_by`, when the task sets one. */
  readonly temperature?: number;
}

const configOf = (work: WorkItem) => work.task.config as ConversationConfig;

/**
 * `output_type: generate_until_multi_round`: a conversation driven turn by turn. Each request
 * carries the whole history (the system prompt, every earlier user turn and the model's own replies),
 * fitted to the model's context window when one is known. Each completed turn is saved in the
 * run's ConversationState, so a resumed run continues at the next turn and redoes no finished turn.
 * With a `judge`, each turn is then graded (MT-Bench single-answer grading) by the run's judge model;
 * its judgments are saved too. One result line per conversation.
 */
export const multiTurn: PipelineDef<MultiTurnPrepared> = {
  prepare(sample, task) {
    const fields = conversationFields(task);
    const given = fields.turns(sample.doc).map((t, i) => dataContent(t, `turns[${i}]`, sample, task));
    // The task's media (doc_to_image …) goes where a turn's placeholder names it, else into the first turn.
    const contents = placeMedia(given, sampleMedia(sample, task).media ?? []);
    const turns = given.map((c) => contentText(c));
    const media = mediaField(contents.map((content) => ({ role: "user" as const, content })));
    const config = task.config as ConversationConfig;
    let reference: string[] | undefined;
    if (gradesTurns(config)) {
      if (turns.length > MT_BENCH_MAX_TURNS) {
        throw new TaskInputError(`turns: the MT-Bench judge grades conversations of at most ${MT_BENCH_MAX_TURNS} turns, got ${turns.length}`, "turns");
      }
      const categories = config.judge.reference_categories;
      const category = fields.category(sample.doc);
      const wanted = !categories || (category !== undefined && categories.includes(category));
      reference = wanted ? fields.reference(sample.doc) : undefined;
      if (reference && reference.length < turns.length) {
        throw new TaskInputError(`judge.reference: expected ${turns.length} reference answers (one per turn), got ${reference.length}`, "judge.reference");
      }
    }
    const temperature = fields.temperature(sample.doc);
    const prepared: MultiTurnPrepared = {
      input: turns[0]!,
      target: task.config.doc_to_target === undefined ? "" : task.target(sample.doc),
      turns,
      ...(media.media ? { contents, ...media } : {}),
      ...(reference ? { reference } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    };
    return prepared;
  },
  create(context) {
    const state = context.conversations ?? memoryConversationState();
    return pipe(
      mergeMap((work: WorkItem<MultiTurnPrepared>) => defer(() => runConversation(context, state, work))),
      judgeMetrics(context),
    );
  },
};

/** MT-Bench's per-turn grading: a `judge` block, unless it says `prompts: none` (llm_judge metrics only). */
function gradesTurns(config: ConversationConfig): config is ConversationConfig & { judge: JudgeConfig } {
  return config.judge !== undefined && config.judge.prompts !== "none";
}

async function runConversation(context: PipelineContext, state: ConversationState, work: WorkItem<MultiTurnPrepared>): Promise<Outcome<MultiTurnPrepared>> {
  const p = work.prepared;
  const config = configOf(work);
  const system = config.system_prompt;
  const turns: TurnRecord[] = [...((await state.load(work.key)) ?? [])];
  const resumedTurns = turns.length;
  // A turn or judgment cut off by the run's end (`cutOff`) leaves the conversation undone, not failed.
  const finish = (error?: ErrorInfo, cutOff?: CutOffCause): Outcome<MultiTurnPrepared> =>
    outcomeOf(
      work,
      conversationLine({
        key: work.key,
        task: work.task,
        questions: p.turns,
        system,
        target: p.target,
        turns,
        resumedTurns,
        judgeModel: context.judge?.model,
        ...(error ? { error } : {}),
      }),
      cutOff,
    );

  const g = work.task.generation;
  const fitter = await createContextFitter(config.context_window, context.contextWindows?.get(work.key.model), g.max_tokens, work.key.model);
  for (let i = turns.length; i < p.turns.length; i++) {
    const history: ChatMessage[] = system !== undefined ? [{ role: "system", content: system }] : [];
    turns.forEach((t, j) => history.push({ role: "user", content: p.contents?.[j] ?? t.user }, { role: "assistant", content: t.assistant }));
    history.push({ role: "user", content: p.contents?.[i] ?? p.turns[i]! });
    let messages: readonly ChatMessage[] = history;
    let note: TurnRecord["context"];
    if (fitter) {
      const fit = fitter.fit(history);
      if (!fit.ok) return finish({ type: "context_overflow", message: `turn ${i + 1}: ${fit.message}`, attempts: 0 });
      messages = fit.messages;
      if (fit.droppedTurns > 0) note = { dropped_turns: fit.droppedTurns, prompt_tokens: fit.promptTokens, window: fitter.window };
    }
    const request = chatRequestOf(work, messages, p.temperature ?? g.temperature);
    const inferred = await inferOne(context, work, () => request);
    if (inferred.kind === "error") return finish({ ...inferred.error, message: `turn ${i + 1}: ${inferred.error.message}` }, inferred.cutOff);
    const reply = inferred.reply;
    turns.push({
      user: p.turns[i]!,
      assistant: cutAtStop(reply.text ?? "", g.stop),
      finish_reason: reply.finish_reason,
      usage: reply.usage,
      cost_usd: inferred.cost_usd,
      timing: inferred.timing,
      ...cacheMark(inferred),
      ...(inferred.served_by ? { served_by: inferred.served_by } : {}),
      ...(note ? { context: note } : {}),
    });
    await state.saveTurn(work.key, turns);
  }

  if (gradesTurns(config)) {
    const judge = context.judge;
    if (!judge) return finish({ type: "no_judge", message: `task ${work.task.name} is graded by a judge: set --judge-model (or judge.model in the task)`, attempts: 0 });
    for (let i = 0; i < turns.length; i++) {
      const t = turns[i]!;
      if (t.judgment && !t.judgment.error) continue;
      const request = mtBenchJudgeRequest({ questions: p.turns, answers: turns.map((x) => x.assistant), turn: i, references: p.reference });
      const { judgment, cutOff } = await judgeTurn(judge, config.judge, i + 1, request, { id: work.key.id, signal: context.signal, onFatal: (m) => context.stop("fatal", m) });
      turns[i] = { ...t, judgment };
      await state.saveTurn(work.key, turns);
      if (judgment.error) return finish({ ...judgment.error, message: `judging turn ${i + 1}: ${judgment.error.message}` }, cutOff);
    }
  }
  await state.clear(work.key);
  return finish();
}
