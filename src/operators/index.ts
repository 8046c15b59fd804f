/** Every stage of the graph as an RxJS operator, one per file. */
export { parse, parseLine } from "./parse.js";
export { detectDuplicates } from "./detect-duplicates.js";
export { expand, type PreparedSample, type ExpandOptions } from "./expand.js";
export { route } from "./route.js";
export { infer } from "./infer.js";
export { score, toResultLine, cutAtStop } from "./score.js";
export { executeCode } from "./execute-code.js";
export { judgeMetrics, type JudgmentView } from "./judge-metrics.js";
export { recordRoute, routeModels, UNROUTED_MODEL, type RouteModelsOptions } from "./route-models.js";
export { inferShared } from "./infer-shared.js";
export { gatherRepeats, RepeatGatherer, type GatherRepeatsOptions } from "./gather-repeats.js";
export { skipCompleted, type SkipCompletedOptions, type CompletedLookup } from "./skip-completed.js";
export { resumeRecorded, type ResumeRecordedOptions, type RecordLookup, type ResumedLine, type StoredRecordText } from "./resume-recorded.js";
export { recordSource, textHash } from "./record-source.js";
export { stampResult, stampLine, type StampResultOptions } from "./stamp-result.js";
export { record, type RecordOptions, type ResultRecorder } from "./record.js";
