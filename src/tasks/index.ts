export type * from "../work/task.js";
export { loadTask, parseTask, type TaskLoadOptions } from "./load.js";
export { buildTask, type BuildOptions } from "./build.js";
export type { ConfigSite } from "./yaml-location.js";
export { compileFewshot, FewshotConfigSchema, sampleIndices, type Fewshot, type FewshotConfig } from "./fewshot.js";
export { readFewshotFile } from "./fewshot-file.js";
export { compileRawTarget, goldIndex, rawTarget, targetText, type RawTarget } from "./gold.js";
export {
  FilterPipelineSchema,
  FilterStepSchema,
  GenerationKwargsSchema,
  KNOWN_KEYS,
  MetricEntrySchema,
  misspelledKey,
  OUTPUT_TYPES,
  TaskSchema,
  UNSUPPORTED_KEYS,
  type MetricEntry,
  type TaskConfig,
} from "./schema.js";
export { compileTemplate, compileValueTemplate, type Template, type TemplateWhere, type ValueTemplate } from "./template.js";
export { compileChoices, compileField } from "./fields.js";
export { DEFAULT_MAX_TOKENS, generationSettings } from "./generation.js";
export { scoreResponse, scoreResponses, type Scored } from "./score.js";
export { extractMatch, filterPipeline, filters, getFilter, type FilterFactory, type FilterName, type FilterStep } from "./filters/index.js";
export { compilePythonRegex, translatePythonRegex, type TranslatedRegex } from "../python/regex.js";
export { pyCompile, pyFindall, pyFinditer, PyPatternSchema, pySearch, pySub, type PyPattern } from "../python/re.js";
export { PY_PUNCTUATION, PY_WHITESPACE, pyLstrip, pyRsplit, pyRstrip, pySplit, pyStrip } from "../python/str.js";
export { pyNumber, pyRepr, pyStr } from "../python/repr.js";
export { formatPath, lineOf, type ConfigPath } from "./yaml-location.js";
