import { z } from "../zod.js";
import type { JudgeScale } from "../work/task.js";
import type { MetricFactory, MetricFn } from "./types.js";

export type { JudgeScale } from "../work/task.js";

/** The verdict scales a judge can grade on. */
export const JUDGE_SCALES = ["pass_fail", "1-10", "letter"] as const satisfies readonly JudgeScale[];

/** The built-in judge templates (scorers/judge-templates.ts holds their text). */
export const JUDGE_TEMPLATES = ["rubric", "reference", "factual", "mt_bench", "mt_bench_reference"] as const;
export type JudgeTemplateName = (typeof JUDGE_TEMPLATES)[number];

/** An `llm_judge` entry of metric_list, validated. */
export interface LlmJudgeOptions {
  /** The score key before `,filter` (default `llm_judge`): each criterion of a task is its own metric. */
  readonly name: string;
  /** A built-in template; absent when `prompt` is given. */
  readonly template?: JudgeTemplateName;
  /** A Jinja template of the judge's user message, over the sample's fields, `input`, `response`, `target` … */
  readonly prompt?: string;
  /** The judge's system message (a Jinja template too); built-in templates bring their own. */
  readonly system?: string;
  readonly scale: JudgeScale;
  /** What the `rubric` template grades against (shown to the judge as is; a template too). */
  readonly criteria?: string;
  /** Remove the evaluated model's `<think>` reasoning before the judge sees its answer (default true). */
  readonly strip_reasoning: boolean;
  /** Show the judge the sample's images and audio, before its prompt's text (default false: the judge sees text only). */
  readonly with_media: boolean;
}

const OptionsSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][\w.@-]*$/, { error: "expected a metric name (letters, digits, _ . @ -; no comma)" }).default("llm_judge"),
    template: z.enum(JUDGE_TEMPLATES).optional(),
    prompt: z.string().min(1).optional(),
    system: z.string().min(1).optional(),
    scale: z.enum(JUDGE_SCALES).optional(),
    criteria: z.string().min(1).optional(),
    strip_reasoning: z.boolean().default(true),
    with_media: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.template === undefined && o.prompt === undefined) ctx.addIssue({ code: "custom", path: ["template"], message: `give \`template\` (${JUDGE_TEMPLATES.join(", ")}) or \`prompt\`` });
    if (o.template !== undefined && o.prompt !== undefined) ctx.addIssue({ code: "custom", path: ["prompt"], message: "give `template` or `prompt`, not both" });
    if (o.template === "rubric" && o.criteria === undefined) ctx.addIssue({ code: "custom", path: ["criteria"], message: "the rubric template needs `criteria`" });
    if (o.template?.startsWith("mt_bench") && o.scale !== undefined && o.scale !== "1-10") {
      ctx.addIssue({ code: "custom", path: ["scale"], message: "MT-Bench's prompts grade on the 1-10 scale" });
    }
  });

/** The scale a template grades on when the entry names none. */
const DEFAULT_SCALE: Readonly<Record<JudgeTemplateName, JudgeScale>> = {
  rubric: "1-10",
  reference: "pass_fail",
  factual: "pass_fail",
  mt_bench: "1-10",
  mt_bench_reference: "1-10",
};

/** Validates an `llm_judge` entry's options (throws a ZodError with paths relative to the entry). */
export function parseLlmJudgeOptions(options: Readonly<Record<string, unknown>>): LlmJudgeOptions {
  const o = OptionsSchema.parse(options);
  const scale = o.scale ?? (o.template ? DEFAULT_SCALE[o.template] : "1-10");
  return {
    name: o.name,
    scale,
    strip_reasoning: o.strip_reasoning,
    with_media: o.with_media,
    ...(o.template ? { template: o.template } : {}),
    ...(o.prompt ? { prompt: o.prompt } : {}),
    ...(o.system ? { system: o.system } : {}),
    ...(o.criteria ? { criteria: o.criteria } : {}),
  };
}

/** A metric whose score a judge model gives: the judge stage (operators/judge-metrics.ts) scores it. */
export interface JudgeMetricFactory extends MetricFactory<"mean"> {
  readonly judgedBy: { parse(options: Readonly<Record<string, unknown>>): LlmJudgeOptions };
}

/**
 * `llm_judge`: a judge model grades each filtered answer (its `<think>` reasoning removed) with a
 * prompt, built in or the task's own, and the verdict on the entry's scale is the score: pass_fail
 * 1/0, 1-10 the rating, letter A–F as 4–0. Aggregated by mean.
 */
export const llmJudge: JudgeMetricFactory = {
  aggregation: "mean",
  higherIsBetter: true,
  outputTypes: ["generate_until", "generate_until_multi_round", "tool_use"],
  judgedBy: { parse: parseLlmJudgeOptions },
  create(options): MetricFn {
    parseLlmJudgeOptions(options);
    return () => {
      throw new Error("`llm_judge` is graded by the judge model: the judge stage scores it, not a text comparison");
    };
  },
};

export function isJudgeMetric(factory: MetricFactory): factory is JudgeMetricFactory {
  return "judgedBy" in factory;
}
