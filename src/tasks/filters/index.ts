export type * from "./types.js";
export { filters, getFilter, type FilterName } from "./registry.js";
export { filterPipeline } from "./pipeline.js";
export { extractMatch } from "./regex.js";
export { splitReasoning, type SplitReply } from "./strip-reasoning.js";
