/**
 * `streameval/scorers`: the graders the bundled conversation and tool-use tasks use — MT-Bench's LLM
 * judge and BFCL's function-call checker — and the Python values that checker compares, for custom
 * pipelines that grade the same way.
 */
export { judgeTurn, type Judge, type JudgeSettings } from "./judge.js";
export { JUDGE_PROMPTS, extractRating, formatPrompt, type JudgePrompt } from "./judge-prompts.js";
export { mtBenchJudgeRequest, type JudgeInput, type JudgeRequest } from "./mt-bench-judge.js";
export { simpleAstCheck, simpleFunctionChecker, standardizeString, type BfclFunction, type CheckResult, type PossibleParams } from "./bfcl-checker.js";
export { bfclToOpenAITools, readBfclFunctions, readPossibleAnswer, GORILLA_TO_OPENAPI } from "./bfcl-tools.js";
export { scoreSimpleCall, type CallScore } from "./bfcl-score.js";
export { parsePyJson } from "../python/json.js";
export { pyEquals, pyType, typedFromJson, type PyValue } from "../python/value.js";
export type { Judgment, JudgePromptName } from "../work/judgment.js";
