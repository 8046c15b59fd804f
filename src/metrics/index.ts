export type * from "./types.js";
export { exactMatch } from "./exact-match.js";
export { mean, type MeanState } from "./mean.js";
export { aggregations, defaultMetrics, getAggregation, getMetric, metrics, type AggregationName, type MetricName } from "./registry.js";
export { acc, accNorm, bitsPerByte, bytePerplexity, perplexity, wordPerplexity } from "./loglikelihood-metrics.js";
export { bitsPerByteAggregation, perplexityAggregation, weightedPerplexity, type RatioState } from "./ratio-aggregations.js";
