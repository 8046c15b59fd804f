import type { Sample } from "../types.js";

/**
 * A sample's document's index in its input (0-based: its line number − 1). lm-eval's default few-shot
 * sampler draws by the document's index in its dataset, so an input file holding one task's split in the
 * dataset's order gives each document lm-eval's own examples.
 */
export function docPosition(sample: Sample): number {
  return sample.at.line - 1;
}
