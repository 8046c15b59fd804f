/**
 * streameval's public API: what you compose an evaluation from. Call `runEvaluation` (or `evaluate`,
 * its event stream) with tasks, models and input lines; swap in your own pipeline or operators; read
 * the summary, the store or the windows. The parts of those parts live under subpaths:
 * `streameval/pipelines`, `streameval/reliability`, `streameval/cost`, `streameval/observe`,
 * `streameval/scorers`.
 */

// The data that flows, and the unit of work
export type * from "./types.js";
export type * from "./events.js";
export type * from "./work/model.js";
export type * from "./work/task.js";
export type * from "./work/work-item.js";
export type * from "./work/judgment.js";
export type { Summary, ModelSummary, MetricValue, StopReason, OverallModelSummary } from "./summary/summary.js";
export * from "./errors/index.js";
export { type Clock, systemClock } from "./clock.js";

// The whole graph
export { evaluate, InputRejectedError, type EvaluateOptions, type ModelTarget } from "./run.js";
export { runEvaluation, type RunEvaluationOptions } from "./run-evaluation.js";
export { estimateRun, type EstimateOptions, type RunEstimate } from "./run-estimate.js";
export { comparePairwise, type JudgeTarget, type PairInput, type PairResult, type PairwiseOptions, type PairwiseSummary } from "./compare/pairwise-judge.js";
export { SummaryBuilder } from "./summary/summary-builder.js";

// Sources
export { docsToLines } from "./io/docs-to-lines.js";
export { readLines, type SourceLine } from "./io/read-lines.js";
export { openInputs, countLines } from "./io/open-inputs.js";
export { createRejectsWriter } from "./io/rejects-writer.js";

// Operators, one stage each; pipelines, one per output type
export * as operators from "./operators/index.js";
export type { PipelineContext } from "./operators/pipeline-context.js";
export { pipelines, defaultPipelines, generateUntil, generateUntilRequest, multipleChoice, loglikelihood, loglikelihoodRolling, multiTurn, createToolUse, toolUse } from "./pipelines/index.js";
export type { PipelineDef, PipelineRegistry, ToolUseOptions } from "./pipelines/index.js";

// Tasks and metrics
export { loadTask, parseTask, type TaskLoadOptions } from "./tasks/load.js";
export { scoreResponse, scoreResponses } from "./tasks/score.js";
export * as metrics from "./metrics/index.js";

// Code execution (code_eval, humaneval, mbpp): pass `codeSandbox: createCodeSandbox()` to evaluate / runEvaluation
export { createCodeSandbox, type CodeSandbox, type CodeSandboxOptions } from "./python/sandbox/code-sandbox.js";
export { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "./python/sandbox/limits.js";
export { describeIsolation, type Isolation, type Verdict } from "./python/sandbox/verdict.js";

// Models
export { openAIChat, type OpenAIChatOptions } from "./models/openai-chat.js";
export { openAICompletions, type OpenAICompletionsOptions } from "./models/openai-completions.js";
export { createSdkClient } from "./models/sdk-client.js";
export { functionModel, type FunctionModelOutput } from "./models/function-model.js";
export { contentText, contentWithMedia, mediaSummary } from "./media/content-parts.js";
export { mediaRefs, type MediaSpec } from "./media/media-items.js";
export { resolveMedia, type MediaOptions } from "./media/resolve-media.js";
export { imageTokens, mediaTokens, OPENAI_TILE_RULE, type ImageTokenRule } from "./media/image-tokens.js";
export type { ReliabilityOptions } from "./reliability/create-dispatchers.js";
export { loadModelsConfig, parseModelsConfig, type ModelEntry, type ModelsConfig } from "./config/models-config.js";

// Routing samples to models
export { compileRoutes, chooseRoute, routedModels, RouteSpecError, type RouteSpec } from "./routing/rules.js";
export { loadRoutes, parseRoutes } from "./routing/load-routes.js";
export { approximateTokens } from "./routing/count-tokens.js";
export type { RouteContext, RouteDecision, RouteRule } from "./routing/types.js";

// Conversations, tools and agents
export { memoryConversationState, type ConversationState, type TurnRecord } from "./work/conversation-state.js";
export { runAgent, type AgentOptions, type AgentResult, type AgentStop, type ModelCall } from "./agent/agent-loop.js";
export { defineTool, functionTool, registryToolset, toolRegistry, type ToolDef, type ToolRegistry, type Toolset } from "./agent/tools.js";
export { cannedToolset } from "./agent/canned-tools.js";
export { builtinTools, calculator } from "./agent/builtin-tools.js";
export type { AgentLimits, LimitHit } from "./agent/limits.js";

// Cost and budgets
// From their own modules, not cost/index.js, which re-exports the bundled price table (@pydantic/genai-prices, loaded
// by resolvePrices only when a price is looked up).
export { parsePrice, costOf, type Price, type PriceTier } from "./cost/price.js";
export { resolvePrices, type ResolvedPrice, type PriceSource } from "./cost/resolve-prices.js";
export type { BudgetLimits, BudgetState, CostSummary, ModelCost, RunResources, ModelEstimate } from "./cost/index.js";

// Continuous evaluation: rolling windows and alerts over the result stream
export * as continuous from "./continuous/index.js";
export { timeWindows, countWindows, rollingWindows, freshResults, watchAlerts, startWindowMonitor, parseAlert, parseWindowSpec, windowScope } from "./continuous/index.js";
export type { WindowReport, AlertEvent, WindowSpec, AlertRule } from "./continuous/index.js";

// Prometheus metrics while a run lasts
export { createRunMetrics, startMetricsServer, registerWindowGauges, createProcessMeter, type ProcessMeter, type RunMetrics, type RunMetricsOptions, type MetricsServer, type MetricsServerOptions } from "./observe/index.js";

// The checkpoint store (LevelDB): resume, runs list/show/export
export { CheckpointStore, type OpenStoreOptions } from "./store/checkpoint-store.js";
export { RunStore, type RunStoreOptions, type PruneOptions } from "./store/run-store.js";
export type { RetentionRule } from "./store/time-index.js";
export { startRetention, type RetentionOptions, type RetentionLoop } from "./store/retention.js";
export { beginRun, type BeginRunOptions, type RunSession } from "./store/run-session.js";
export { runIdentity, identityChanges, taskMeta, type RunMeta, type RunIdentity, type RunStatus } from "./store/run-meta.js";
export { rebuildSummary } from "./store/rebuild-summary.js";

// The simulator: an OpenAI-compatible server on loopback, for demos, tests and dry runs
export { startSim } from "./sim/start-sim-lazily.js";
export type { SimOptions, SimServer } from "./sim/index.js";
