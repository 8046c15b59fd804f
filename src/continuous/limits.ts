/**
 * Distinct ids a `--continuous` run remembers for duplicate detection (forgetting the oldest half
 * when full): a repeat is reported when its first occurrence is among the last 50,000 ids at least.
 * About 5 MB; the batch default (2,000,000) would let an endless run's memory creep for hours.
 */
export const CONTINUOUS_MAX_IDS = 100_000;
