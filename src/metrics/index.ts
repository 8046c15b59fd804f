export type * from "./types.js";
export { exactMatch } from "./exact-match.js";
export { mean, type MeanState } from "./mean.js";
export { aggregations, defaultMetrics, getAggregation, getMetric, metrics, type AggregationName, type MetricName } from "./registry.js";
