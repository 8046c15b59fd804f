import { generateUntil } from "./generate-until.js";
import { loglikelihood } from "./loglikelihood.js";
import { loglikelihoodRolling } from "./loglikelihood-rolling.js";
import { multipleChoice } from "./multiple-choice.js";
import { multiTurn } from "./multi-turn.js";
import { toolUse } from "./tool-use.js";
import type { PipelineRegistry } from "./types.js";

/** The bundled pipelines, by `output_type`. Users extend it: `{ ...pipelines, my_type: def }`. */
export const pipelines = {
  generate_until: generateUntil,
  multiple_choice: multipleChoice,
  loglikelihood,
  loglikelihood_rolling: loglikelihoodRolling,
  generate_until_multi_round: multiTurn,
  tool_use: toolUse,
} satisfies PipelineRegistry;

/** The bundled pipelines by output type (the registry `evaluate` uses when given none). */
export const defaultPipelines: PipelineRegistry = pipelines;
