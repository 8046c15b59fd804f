/**
 * `streameval/pipelines`: each bundled pipeline and the pure parts it is made of (request builders,
 * logprob scoring), for custom pipelines that reuse them. The root exports the pipelines themselves.
 */
export { pipelines, defaultPipelines } from "./registry.js";
export type { PipelineDef, PipelineRegistry, RegisteredPipeline } from "./types.js";
export { generateUntil, generateUntilRequest } from "./generate-until.js";
export { multipleChoice, multipleChoiceLine, choiceTexts, type MultipleChoicePrepared } from "./multiple-choice.js";
export { multipleChoiceResult, argmax, type MultipleChoiceResult } from "./multiple-choice-scores.js";
export { loglikelihood, loglikelihoodResultLine } from "./loglikelihood.js";
export { loglikelihoodRolling, rollingLine } from "./loglikelihood-rolling.js";
export { loglikelihoodRequest, type ScoredText } from "./loglikelihood-request.js";
export { continuationLoglikelihood, countBytes, countWords, splitPoint, type ContinuationScore } from "./loglikelihood-scores.js";
export { multiTurn, type MultiTurnPrepared } from "./multi-turn.js";
export { createToolUse, toolUse, CALL_ACCURACY, type ToolUseOptions } from "./tool-use.js";
export { passAtK, passAtKs, scoreRepeats, type SampleScore } from "../tasks/score-repeats.js";
export { fitContext, type ContextFit, type ContextOverflow, type ContextPolicy, type ContextStrategy } from "../context/fit-context.js";
export { chatTokenCounter, countChat, loadChatTokenCounter, type MessageTokenCounter } from "../context/token-counter.js";
