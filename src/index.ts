/**
 * streameval's public API. Compose an evaluation from these operators and pipelines, or call
 * `runEvaluation` / `evaluate` for the whole graph the CLI runs.
 */
export type * from "./types.js";
export type * from "./events.js";
export type * from "./work/model.js";
export type * from "./work/task.js";
export type * from "./work/work-item.js";
export type * from "./pipelines/types.js";
export type * from "./operators/pipeline-context.js";
export type { Summary, ModelSummary, MetricValue, StopReason } from "./summary/summary.js";
export type { OverallModelSummary } from "./summary/summary.js";

export * from "./errors/index.js";
export { type Clock, systemClock } from "./clock.js";

// The whole graph
export { evaluate, InputRejectedError, type EvaluateOptions, type ModelTarget } from "./run.js";
export { runEvaluation, type RunEvaluationOptions } from "./run-evaluation.js";
export { SummaryBuilder } from "./summary/summary-builder.js";
export { LatencyHistogram } from "./summary/latency.js";

// Continuous evaluation: rolling windows and alerts over the result stream
export * as continuous from "./continuous/index.js";
export { timeWindows, countWindows, rollingWindows, freshResults, watchAlerts, startWindowMonitor, parseAlert, parseWindowSpec, windowScope } from "./continuous/index.js";
export type { WindowReport, AlertEvent, WindowSpec, AlertRule } from "./continuous/index.js";

// Sources
export { docsToLines } from "./io/docs-to-lines.js";
export { readLines, type SourceLine } from "./io/read-lines.js";
export { openInputs, countLines } from "./io/open-inputs.js";
export { Demand, pullSource } from "./io/demand.js";
export { createRejectsWriter } from "./io/rejects-writer.js";

// Operators, one stage each
export * as operators from "./operators/index.js";

// Pipelines by output type
export { pipelines, defaultPipelines } from "./pipelines/registry.js";
export { generateUntil, generateUntilRequest } from "./pipelines/generate-until.js";
export { multipleChoice, multipleChoiceLine, choiceTexts, type MultipleChoicePrepared } from "./pipelines/multiple-choice.js";
export { multipleChoiceResult, argmax, type MultipleChoiceResult } from "./pipelines/multiple-choice-scores.js";
export { loglikelihood, loglikelihoodResultLine } from "./pipelines/loglikelihood.js";
export { loglikelihoodRolling, rollingLine } from "./pipelines/loglikelihood-rolling.js";
export { loglikelihoodRequest, type ScoredText } from "./pipelines/loglikelihood-request.js";
export { continuationLoglikelihood, countBytes, countWords, splitPoint, type ContinuationScore } from "./pipelines/loglikelihood-scores.js";
export { passAtK, passAtKs, scoreRepeats, type SampleScore } from "./tasks/score-repeats.js";

// Routing
export { compileRoutes, chooseRoute, routedModels, RouteSpecError, type RouteSpec } from "./routing/rules.js";
export { loadRoutes, parseRoutes } from "./routing/load-routes.js";
export { compileWhen, type WhenMap } from "./routing/conditions.js";
export { approximateTokens } from "./routing/count-tokens.js";
export type { RouteContext, RouteDecision, RouteRule } from "./routing/types.js";

export { multiTurn, type MultiTurnPrepared } from "./pipelines/multi-turn.js";
export { memoryConversationState, type ConversationState, type TurnRecord } from "./work/conversation-state.js";
export { createToolUse, toolUse, CALL_ACCURACY, type ToolUseOptions } from "./pipelines/tool-use.js";

// Conversations, judges, tools and agents
export { fitContext, type ContextFit, type ContextOverflow, type ContextPolicy, type ContextStrategy } from "./context/fit-context.js";
export { chatTokenCounter, countChat, loadChatTokenCounter, type MessageTokenCounter } from "./context/token-counter.js";
export { judgeTurn, type Judge, type JudgeSettings } from "./scorers/judge.js";
export type { Judgment, JudgePromptName } from "./work/judgment.js";
export { JUDGE_PROMPTS, extractRating, formatPrompt, type JudgePrompt } from "./scorers/judge-prompts.js";
export { mtBenchJudgeRequest, type JudgeInput, type JudgeRequest } from "./scorers/mt-bench-judge.js";
export { simpleAstCheck, simpleFunctionChecker, standardizeString, type BfclFunction, type CheckResult, type PossibleParams } from "./scorers/bfcl-checker.js";
export { bfclToOpenAITools, readBfclFunctions, readPossibleAnswer, GORILLA_TO_OPENAPI } from "./scorers/bfcl-tools.js";
export { scoreSimpleCall, type CallScore } from "./scorers/bfcl-score.js";
export { parsePyJson } from "./python/json.js";
export { pyEquals, pyType, typedFromJson, type PyValue } from "./python/value.js";
export { runAgent, type AgentOptions, type AgentResult, type AgentStop, type ModelCall } from "./agent/agent-loop.js";
export { defineTool, functionTool, registryToolset, toolRegistry, type ToolDef, type ToolRegistry, type Toolset } from "./agent/tools.js";
export { cannedToolset } from "./agent/canned-tools.js";
export { builtinTools, calculator } from "./agent/builtin-tools.js";
export type { AgentLimits, LimitHit } from "./agent/limits.js";

// Models
export { openAIChat, type OpenAIChatOptions } from "./models/openai-chat.js";
export { createSdkClient } from "./models/sdk-client.js";
export { openAICompletions, type OpenAICompletionsOptions } from "./models/openai-completions.js";
export { functionModel, type FunctionModelOutput } from "./models/function-model.js";
export { createDispatcher, type Dispatcher, type DispatchOutcome, type DispatcherOptions } from "./reliability/dispatcher.js";
export { Semaphore } from "./reliability/semaphore.js";

// Reliability: retries, deadlines, rate limits, breakers, fallbacks
export { createDispatchers, type DispatchTarget, type Dispatchers, type ReliabilityOptions } from "./reliability/create-dispatchers.js";
export { EndpointBreaker, BreakerOpenError, type BreakerOptions, type BreakerState } from "./reliability/endpoint-breaker.js";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./reliability/backoff.js";
export { serverRetryAfterMs } from "./reliability/retry-after.js";
export { TokenBucket } from "./reliability/token-bucket.js";
export { RateLimits, estimateTokens } from "./reliability/rate-limits.js";
export { AdaptiveLimit } from "./reliability/adaptive-limit.js";
export { AttemptWatchdog, type AttemptTimeouts, type AttemptWatch } from "./reliability/attempt-watch.js";
export { ReliabilityStats, type ModelReliability } from "./reliability/reliability-stats.js";
export { loadModelsConfig, parseModelsConfig, type ModelEntry, type ModelsConfig } from "./config/models-config.js";

// Tasks and metrics
export { loadTask, parseTask, type TaskLoadOptions } from "./tasks/load.js";
export { scoreResponse, scoreResponses } from "./tasks/score.js";
export * as metrics from "./metrics/index.js";

// Cost, budgets and pre-flight estimates
export { costOf, parsePrice, ratesFor, type Price, type PriceTier } from "./cost/price.js";
export { lookupPrice, type TablePrice } from "./cost/price-table.js";
export { resolvePrices, type ResolvedPrice, type PriceSource } from "./cost/resolve-prices.js";
export { Budget, type BudgetLimits, type BudgetState, type Hold } from "./cost/budget.js";
export { createBudgetGate, type BudgetGate, type RequestHold } from "./cost/budget-gate.js";
export { worstCase, promptTokenBound, outputTokenBound, type Spend } from "./cost/worst-case.js";
export { loadTokenCounter, encodingFor, type TokenCounter } from "./cost/count-tokens.js";
export { usageOrEstimate } from "./cost/estimate-usage.js";
export { CostLedger, type CostSummary, type ModelCost } from "./cost/cost-ledger.js";
export { startResourceMeter, type ResourceUsage } from "./cost/resource-meter.js";
export type { RunResources } from "./cost/run-accounting.js";
export { estimateRun, type EstimateOptions, type RunEstimate } from "./run-estimate.js";
export type { ModelEstimate } from "./cost/estimate-totals.js";
// Instrumentation: timing, throughput, the process, Prometheus
export { requestTiming, outputTokens, type MeasuredReply } from "./observe/request-timing.js";
export { ThroughputMeter, type ThroughputStats, type RunThroughput } from "./observe/throughput.js";
export { createProcessSampler, nodeProbe, type ProcessSampler, type ProcessStats, type ProcessProbe } from "./observe/process-sampler.js";
export { createRunObserver, type RunObserver, type RunObservation } from "./observe/run-observer.js";
export { createRunMetrics, type RunMetrics, type RunMetricsOptions } from "./observe/run-metrics.js";
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from "./observe/metrics-server.js";
export { registerWindowGauges, type WindowSource, type WindowGaugesOptions } from "./observe/window-gauges.js";
export { LiveLatency } from "./observe/live-latency.js";

// The checkpoint store (LevelDB): resume, runs list/show/export
export { CheckpointStore, type OpenStoreOptions } from "./store/checkpoint-store.js";
export { RunStore, type RunStoreOptions, type PruneOptions } from "./store/run-store.js";
export type { RetentionRule } from "./store/time-index.js";
export { startRetention, type RetentionOptions, type RetentionLoop } from "./store/retention.js";
export { beginRun, type BeginRunOptions, type RunSession } from "./store/run-session.js";
export { runIdentity, identityChanges, taskMeta, type RunMeta, type RunIdentity, type RunStatus } from "./store/run-meta.js";
export { rebuildSummary } from "./store/rebuild-summary.js";

// The simulator
export { startSim, type SimOptions, type SimServer } from "./sim/index.js";
