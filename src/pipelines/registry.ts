import { generateUntil } from "./generate-until.js";
import type { PipelineDef, PipelineRegistry } from "./types.js";

/** The bundled pipelines, by `output_type`. Users extend it: `{ ...pipelines, my_type: def }`. */
export const pipelines = {
  generate_until: generateUntil,
} satisfies Record<string, PipelineDef>;

export const defaultPipelines: PipelineRegistry = pipelines;
