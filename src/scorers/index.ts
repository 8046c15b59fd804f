/**
 * `streameval/scorers`: the graders the bundled tasks use — the LLM judge (llm_judge metrics,
 * MT-Bench, pairwise comparison) and BFCL's function-call checker — and the Python values that
 * checker compares, for custom pipelines that grade the same way.
 */
export { askJudge, judgeTurn, type Judge, type JudgeCall, type JudgeReply, type JudgeSettings } from "./judge.js";
export { parseVerdict, verdictScore, VERDICT_INSTRUCTIONS, type Verdict } from "./verdict.js";
export { JUDGE_TEMPLATE_TEXT, type JudgeTemplate } from "./judge-templates.js";
export { splitReasoning, type SplitReply } from "../tasks/filters/strip-reasoning.js";
export { JUDGE_PROMPTS, extractRating, formatPrompt, type JudgePrompt } from "./judge-prompts.js";
export { mtBenchJudgeRequest, type JudgeInput, type JudgeRequest } from "./mt-bench-judge.js";
export { simpleAstCheck, simpleFunctionChecker, standardizeString, type BfclFunction, type CheckResult, type PossibleParams } from "./bfcl-checker.js";
export { bfclToOpenAITools, readBfclFunctions, readPossibleAnswer, GORILLA_TO_OPENAPI } from "./bfcl-tools.js";
export { scoreSimpleCall, type CallScore } from "./bfcl-score.js";
export { parsePyJson } from "../python/json.js";
export { pyEquals, pyType, typedFromJson, type PyValue } from "../python/value.js";
export type { Judgment, JudgePromptName } from "../work/judgment.js";
