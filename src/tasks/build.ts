import { z } from "../zod.js";
import { TaskInputError } from "../errors/index.js";
import { isCodeMetric } from "../metrics/code-eval.js";
import { isJudgeMetric } from "../metrics/llm-judge.js";
import { compileJudgeMetric } from "./judge-metric.js";
import { defaultMetrics, getAggregation, getMetric, metrics as metricRegistry } from "../metrics/registry.js";
import type { MetricFn } from "../metrics/types.js";
import { isMultipleChoiceValue, MULTIPLE_CHOICE_VALUE_FORMS } from "../metrics/multiple-choice-values.js";
import type { ChatMessage, Doc } from "../types.js";
import { compileFewshot, compileGenPrefix, type Fewshot, type FewshotParts, parseFewshotConfig } from "./fewshot.js";
import { checkConversationTask } from "./conversation-fields.js";
import { compileChoices, compileField } from "./fields.js";
import { filterPipeline, filters as filterRegistry, getFilter } from "./filters/index.js";
import { generationSettings } from "./generation.js";
import { pyLiteralEval } from "../python/literal.js";
import { pyStr } from "../python/repr.js";
import { isPythonHook } from "../python/hooks/hook-ref.js";
import type { TaskHooks } from "../work/task.js";
import { requiresDelimiter } from "./delimit.js";
import { UNSUPPORTED_KEYS, type MetricEntry, type TaskConfig } from "./schema.js";
import { compileTemplate } from "./template.js";
import { compileMedia, mediaSettings, promptKwargs, type MediaBuildOptions } from "./task-media.js";
import type { CodeExecutionSpec, FilterStepSpec, MetricSpec, NamedFilter, Task } from "../work/task.js";
import type { PythonHook } from "../python/hooks/hook-ref.js";
import { formatPath, type ConfigPath, type ConfigSite } from "./yaml-location.js";

// Output types whose prompt and reference come from doc_to_text / doc_to_target.
const NEEDS_TEXT_AND_TARGET = new Set(["generate_until", "multiple_choice", "loglikelihood", "loglikelihood_rolling"]);

/** What a run may set beside the task file (CLI flags), and what the loader read for it. */
export interface BuildOptions {
  /** Overrides `num_fewshot` (`--num-fewshot`). */
  readonly numFewshot?: number;
  /** The few-shot pool read from `fewshot_config.file` or `--fewshot-file` (else `fewshot_config.samples`). */
  readonly fewshotPool?: readonly Doc[];
  /** Chat requests show few-shot examples as turns (`--fewshot-as-multiturn`). */
  readonly fewshotAsMultiturn?: boolean;
  /** Chooses the block of lmms_eval_specific_kwargs (`--model-family`); else `default`. */
  readonly modelFamily?: string;
  /** Frames per video and the image downscaling bound (`--video-frames`, `--max-image-side`). */
  readonly media?: MediaBuildOptions;
}

// Output types scored from logprobs: their metrics come from the pipeline, not from a text answer.
const LOGPROB_TYPES: ReadonlySet<string> = new Set(["multiple_choice", "loglikelihood", "loglikelihood_rolling"]);

/** Turns a validated config into a Task: resolves filters and metrics by name, compiles templates once. */
export function buildTask(config: TaskConfig, origin: Task["origin"], site: ConfigSite, options: BuildOptions = {}): Task {
  for (const [key, reason] of Object.entries(UNSUPPORTED_KEYS)) {
    if (Object.hasOwn(config, key)) site.fail([key], reason);
  }
  const outputType = config.output_type;
  if (NEEDS_TEXT_AND_TARGET.has(outputType)) {
    for (const key of ["doc_to_text", "doc_to_target"] as const) {
      if (config[key] === undefined) site.fail([key], `required for output_type ${outputType}`);
    }
  }
  if (outputType === "multiple_choice" && config.doc_to_choice === undefined) site.fail(["doc_to_choice"], "required for output_type multiple_choice");
  checkConversationTask(config, site);

  const text = config.doc_to_text === undefined ? undefined : compileField(config.doc_to_text, site.where(["doc_to_text"]));
  const targetOf = config.doc_to_target === undefined ? undefined : compileField(config.doc_to_target, site.where(["doc_to_target"]));
  const choices = config.doc_to_choice === undefined ? undefined : compileChoices(config.doc_to_choice, site.where(["doc_to_choice"]));
  const description = config.description ? compileTemplate(config.description, site.where(["description"])) : undefined;
  const genPrefix = taskGenPrefix(config, site);

  const hooks = taskHooks(config);
  const kwargs = promptKwargs(config, options.modelFamily);
  const media = compileMedia(config, site, options.media ?? {});
  // lmms-eval's prompt settings reach a doc_to_text template as `lmms_eval_specific_kwargs` (a hook gets them as its second argument).
  const withKwargs = (doc: Doc): Doc => (kwargs && !Object.hasOwn(doc, "lmms_eval_specific_kwargs") ? { ...doc, lmms_eval_specific_kwargs: kwargs } : doc);
  const textOf = (doc: Doc): string => {
    if (!text) throw new Error(`task \`${config.task}\` has no doc_to_text`);
    return pyStr(text(withKwargs(doc)));
  };
  const fewshot = buildFewshot(config, site, options, {
    text: (doc) => {
      if (!text) throw new Error(`task \`${config.task}\` has no doc_to_text`);
      return text(withKwargs(doc));
    },
    ...(choices ? { choices } : {}),
    ...(genPrefix ? { genPrefix } : {}),
  });
  // lm-eval's build_qa_turn: the question, target_delimiter when neither side has whitespace at the join, the prefix.
  const withPrefix = (q: string, doc: Doc): string => {
    const prefix = genPrefix?.(doc);
    if (!prefix) return q;
    return q + (requiresDelimiter(q, prefix) ? config.target_delimiter : "") + prefix;
  };
  const prompt = (doc: Doc, position?: number): string => (description?.render(doc) ?? "") + (fewshot?.context(doc, position) ?? "") + withPrefix(textOf(doc), doc);
  const messages = (doc: Doc, position?: number): ChatMessage[] => {
    const system = description?.render(doc) ?? "";
    const prefix = genPrefix?.(doc);
    return [
      ...(system ? [{ role: "system" as const, content: system }] : []),
      ...(fewshot?.turns(doc, position) ?? []),
      { role: "user", content: textOf(doc) },
      // lm-eval's chat path: the answer starts in an assistant turn the model continues.
      ...(prefix ? [{ role: "assistant" as const, content: prefix }] : []),
    ];
  };

  const target = (doc: Doc): string => {
    if (!targetOf) return "";
    const raw = targetOf(doc);
    // lm-eval: with doc_to_choice, a generate_until target is an index into the choices (`choices[gold]`:
    // Python indexing, so -1 is the last choice).
    if (choices && outputType !== "multiple_choice") {
      const index = typeof raw === "number" && Number.isInteger(raw) ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : undefined;
      if (index !== undefined) {
        const list = choices(doc);
        const at = index < 0 ? list.length + index : index;
        if (at < 0 || at >= list.length) throw new TaskInputError(`doc_to_target: index ${index} is out of range for ${list.length} choices`);
        return list[at]!;
      }
    }
    return pyStr(raw);
  };

  const targets = (doc: Doc): string[] | undefined => {
    if (!targetOf || choices) return undefined;
    const raw = targetOf(doc);
    if (Array.isArray(raw)) return raw.map(pyStr);
    if (typeof raw !== "string" || !targetIsTemplate || raw.length < 2 || raw[0] !== "[" || raw.at(-1) !== "]") return undefined;
    try {
      const list = pyLiteralEval(raw);
      return Array.isArray(list) ? list.map(pyStr) : undefined;
    } catch {
      return undefined; // lm-eval keeps the text when literal_eval fails
    }
  };
  const targetIsTemplate = typeof config.doc_to_target === "string" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(config.doc_to_target);

  const filters = buildFilters(config, site);
  const metrics = buildMetrics(config, site);
  // The doc hooks first, in lm-eval's order: a problem starting the worker is named at the first of them.
  // custom_dataset builds the dataset in lm-eval; streameval's input holds its rows: never called, nor imported.
  const { custom_dataset: _dataset, ...called } = config;
  const pythonHooks = [...new Set([...Object.values<PythonHook>({ ...hooks }), ...findHooks(called)])];
  const scoredInPython = outputType === "generate_until" && (config.process_results !== undefined || filters.some((f) => f.python) || metrics.some((m) => m.python || m.pythonAggregation));
  if (scoredInPython && metrics.some((m) => m.execution)) site.fail(["metric_list"], "a code metric (code_eval) with Python filters, metrics or process_results is not supported: use lm-eval's `metric: !function utils.pass_at_k` form, or the built-in code_eval alone");
  if (scoredInPython && metrics.some((m) => m.judge)) site.fail(["metric_list"], "a judge metric (llm_judge) with Python filters, metrics or process_results is not supported");
  return {
    name: config.task,
    outputType,
    idField: config.id_field,
    repeats: config.repeats,
    generation: generationSettings(config),
    filters,
    metrics,
    ...(pythonHooks.length ? { pythonHooks } : {}),
    ...(scoredInPython ? { scoredInPython } : {}),
    config,
    origin,
    prompt,
    ...(text && hooks?.doc_to_text ? { promptValue: (doc: Doc) => text(doc) } : {}),
    ...(hooks ? { hooks } : {}),
    target,
    ...(outputType === "generate_until" ? { targets } : {}),
    ...(choices ? { choices } : {}),
    numFewshot: fewshot?.num ?? 0,
    ...(fewshot?.python ? { fewshotPython: fewshot.python } : {}),
    ...(fewshot?.byPosition ? { fewshotByPosition: true } : {}),
    ...(description || fewshot ? { contextPrefix: (doc: Doc, position?: number) => (description?.render(doc) ?? "") + (fewshot?.context(doc, position) ?? "") } : {}),
    ...((fewshot && options.fewshotAsMultiturn) || genPrefix ? { messages } : {}),
    ...(media ? { media } : {}),
    mediaSettings: mediaSettings(config, options.media ?? {}),
    ...(kwargs ? { promptKwargs: kwargs } : {}),
  };
}

/** The `!function` keys of a task, or undefined when it has none. */
function taskHooks(config: TaskConfig): TaskHooks | undefined {
  const keys = ["process_docs", "doc_to_text", "doc_to_target", "doc_to_choice", "doc_to_image", "doc_to_audio", "doc_to_visual", "process_results"] as const;
  const found = Object.fromEntries(keys.flatMap((k) => (isPythonHook(config[k]) ? [[k, config[k]]] : [])));
  return Object.keys(found).length ? found : undefined;
}

/** Every `!function` in a config (any key, any depth), once each. */
function* findHooks(value: unknown, seen = new Set<unknown>()): Generator<PythonHook> {
  if (isPythonHook(value)) {
    yield value;
    return;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  for (const v of Object.values(value)) yield* findHooks(v, seen);
}

/** The task's few-shot examples, when `num_fewshot` (or its override) asks for some. */
function buildFewshot(config: TaskConfig, site: ConfigSite, options: BuildOptions, parts: FewshotParts): Fewshot | undefined {
  const fc = parseFewshotConfig(config, site);
  const num = options.numFewshot ?? config.num_fewshot ?? 0;
  if (num === 0) return undefined;
  if (config.output_type === "loglikelihood_rolling") site.fail(["num_fewshot"], "a loglikelihood_rolling (perplexity) task takes no few-shot examples, as in lm-eval");
  if (!options.fewshotPool && !fc.samples) {
    site.fail(["num_fewshot"], `task \`${config.task}\`: ${num} few-shot example(s) need a pool, ${poolSplit(config)}, which streameval does not download: pass --fewshot-file with that split's rows as JSONL, or set fewshot_config.samples or fewshot_config.file (or --num-fewshot 0)`);
  }
  // A pool from a file stands for a dataset split (lm-eval runs process_docs on it); `samples` do not.
  return compileFewshot(config, fc, num, options.fewshotPool ? { docs: options.fewshotPool, isSplit: true } : {}, parts, site);
}

/** Where lm-eval takes few-shot examples from (Task.fewshot_docs): fewshot_split, else the training, validation or test split. */
function poolSplit(config: TaskConfig): string {
  for (const key of ["fewshot_split", "training_split", "validation_split", "test_split"] as const) {
    if (typeof config[key] === "string") return `lm-eval's ${key} \`${config[key]}\``;
  }
  return "a split this task names none of (fewshot_split, training_split, validation_split, test_split)";
}

/** `filter_list`, or lm-eval's default: one pipeline named `none` that takes the first response. */
function buildFilters(config: TaskConfig, site: ConfigSite): NamedFilter[] {
  if (!config.filter_list) return [filterPipeline("none", [filterRegistry.take_first.create({})])];
  const seen = new Set<string>();
  return config.filter_list.map((entry, i) => {
    if (seen.has(entry.name)) site.fail(["filter_list", i, "name"], `filter name \`${entry.name}\` is used twice`);
    seen.add(entry.name);
    const steps = entry.filter.map((step, j): FilterStepSpec => {
      const path = ["filter_list", i, "filter", j];
      const { function: name, ...args } = step;
      // lm-eval's registry forms: a Filter class (`function: !function utils.MyFilter`, built with the
      // step's other keys), or `custom` calling `filter_fn(resps, docs)` (its other keys are ignored, as there).
      if (isPythonHook(name)) return { kind: "python", hook: name, form: "class", args };
      if (name === "custom") {
        if (!isPythonHook(args.filter_fn)) site.fail([...path, "filter_fn"], "`function: custom` needs `filter_fn: !function module.name`");
        return { kind: "python", hook: args.filter_fn, form: "fn", args: {} };
      }
      const factory = getFilter(name) ?? site.fail([...path, "function"], unknownFilter(name));
      return { kind: "builtin", name, apply: createWith(() => factory.create(args), path, site) };
    });
    if (steps.every((s) => s.kind === "builtin")) return filterPipeline(entry.name, steps.map((s) => s.apply));
    if (config.output_type !== "generate_until") site.fail(["filter_list", i], `Python filters run for output_type generate_until (this task is ${config.output_type})`);
    return {
      name: entry.name,
      python: steps,
      apply: () => {
        throw new Error(`filter \`${entry.name}\` has Python steps: the Python scoring stage applies it`);
      },
    };
  });
}

/** lm-eval filters streameval knows of and does not build, and why. */
const UNSUPPORTED_FILTERS: Readonly<Record<string, string>> = {
  regex_pos: "lm-eval's POSFilter, whose answer is a list of part-of-speech tags rather than a text, is not supported",
};

/** Why a filter name is refused: a known lm-eval filter streameval does not build, or one it does not know. */
function unknownFilter(name: string): string {
  const reason = UNSUPPORTED_FILTERS[name];
  if (reason) return `filter \`${name}\`: ${reason}`;
  // acpbench's ACP_grammar_filter: registered by the task's own module when lm-eval imports it.
  return `unknown filter \`${name}\` (available: custom, ${Object.keys(filterRegistry).join(", ")}); a filter a task's Python module registers with \`@register_filter\` is not looked up by name: give its class as \`function: !function module.Class\``;
}

function buildMetrics(config: TaskConfig, site: ConfigSite): MetricSpec[] {
  const fromDefaults = !config.metric_list;
  const entries: MetricEntry[] = config.metric_list ?? defaultMetrics[config.output_type].map((metric) => ({ metric }));
  const seen = new Set<string>();
  let codeMetricSeen = false;
  return entries.map((entry, i) => {
    const path = ["metric_list", i];
    const { metric: metricSpec, aggregation: aggregationSpec, higher_is_better, hf_evaluate: _hf, ...rest } = entry;
    const pythonAggregation = isPythonHook(aggregationSpec) ? aggregationSpec : undefined;
    const aggregation = pythonAggregation ? pythonAggregation.tag : (aggregationSpec as string | undefined);
    if (pythonAggregation && !config.process_results && config.output_type !== "generate_until") {
      if (config.output_type !== "multiple_choice" || isPythonHook(metricSpec)) {
        site.fail([...path, "aggregation"], `a Python aggregation runs over values from process_results, a generate_until metric or a multiple_choice metric (this task is ${config.output_type} without process_results)`);
      }
      return multipleChoicePythonMetric(metricSpec, pythonAggregation, higher_is_better, path, site, seen);
    }
    const withAggregation = <T extends MetricSpec>(spec: T): T => (pythonAggregation ? { ...spec, pythonAggregation } : spec);
    if (isPythonHook(metricSpec) && !config.process_results) {
      // lm-eval names the metric after the function, calls it per sample and filter, and has no default aggregation for it.
      const name = metricSpec.name;
      if (config.output_type !== "generate_until") site.fail([...path, "metric"], `a Python metric is called for output_type generate_until (lm-eval does not call it for ${config.output_type})`);
      if (seen.has(name)) site.fail([...path, "metric"], `metric \`${name}\` is listed twice`);
      seen.add(name);
      const aggregationName = aggregation ?? getMetric(name)?.aggregation ?? site.fail([...path, "aggregation"], `\`${metricSpec.tag}\` needs an aggregation (a name such as mean, or \`!function module.name\`)`);
      if (!pythonAggregation && !getAggregation(aggregationName)) site.fail([...path, "aggregation"], `unknown aggregation \`${aggregationName}\``);
      return withAggregation({ name, aggregation: aggregationName, higherIsBetter: higher_is_better ?? true, score: () => Number.NaN, python: { hook: metricSpec, options: rest } });
    }
    const name = isPythonHook(metricSpec) ? metricSpec.name : metricSpec;
    // lm-eval hands an entry's other keys to the metric function, which multiple_choice, loglikelihood and
    // loglikelihood_rolling scoring never calls: there they change nothing (belebele's `weight_by_size`).
    const options = LOGPROB_TYPES.has(config.output_type) ? {} : rest;
    const factory = getMetric(name);
    if (config.process_results) {
      // lm-eval: with process_results, metric_list only names the keys it returns and how to aggregate them.
      if (seen.has(name)) site.fail([...path, "metric"], `metric \`${name}\` is listed twice`);
      seen.add(name);
      const aggregationName = aggregation ?? factory?.aggregation ?? "mean";
      if (!pythonAggregation && !getAggregation(aggregationName)) site.fail([...path, "aggregation"], `unknown aggregation \`${aggregationName}\``);
      return withAggregation({ name, aggregation: aggregationName, higherIsBetter: higher_is_better ?? factory?.higherIsBetter ?? true, score: () => Number.NaN });
    }
    if (!factory) {
      const available = Object.keys(metricRegistry).join(", ");
      if (fromDefaults) site.fail(["output_type"], `the default metric \`${name}\` for ${config.output_type} is not available (available: ${available}); set metric_list`);
      site.fail([...path, "metric"], `unknown metric \`${name}\` (available: ${available})`);
    }
    if (isJudgeMetric(factory)) {
      // Each criterion is its own metric, under its own name.
      const judged = createWith(() => factory.judgedBy.parse(options), path, site);
      if (seen.has(judged.name)) site.fail([...path, "name"], `metric \`${judged.name}\` is listed twice: give each llm_judge entry its own \`name\``);
      seen.add(judged.name);
      if (aggregation !== undefined && aggregation !== "mean") site.fail([...path, "aggregation"], "a judge metric aggregates by `mean`");
      return { name: judged.name, aggregation: "mean", higherIsBetter: higher_is_better ?? true, score: factory.create(options), judge: compileJudgeMetric(judged, path, site) };
    }
    if (seen.has(name)) site.fail([...path, "metric"], `metric \`${name}\` is listed twice`);
    const unavailable = LOGPROB_TYPES.has(config.output_type) ? !factory.outputTypes.includes(config.output_type) : Boolean(factory.scoredFromLogprobs);
    if (unavailable) {
      site.fail(fromDefaults ? ["output_type"] : [...path, "metric"], `metric \`${name}\` is not available for output_type ${config.output_type} (it is for ${factory.outputTypes.join(", ")})`);
    }
    seen.add(name);
    const aggregationName = aggregation ?? factory.aggregation;
    if (!pythonAggregation && !getAggregation(aggregationName)) site.fail([...path, "aggregation"], `unknown aggregation \`${aggregationName}\``);
    const score: MetricFn = createWith(() => factory.create(options), path, site);
    const scoreSample = factory.createForSample ? createWith(() => factory.createForSample!(options), path, site) : undefined;
    const spec = withAggregation<MetricSpec>({ name, aggregation: aggregationName, higherIsBetter: higher_is_better ?? factory.higherIsBetter, score, ...(factory.passthrough ? { passthrough: true } : {}), ...(scoreSample ? { scoreSample } : {}) });
    if (!isCodeMetric(factory)) return spec;
    if (codeMetricSeen) site.fail([...path, "metric"], `\`${name}\`: a task runs one code metric (its pass@k keys would collide)`);
    codeMetricSeen = true;
    return { ...spec, execution: codeExecution(factory.executesCode, createWith(() => factory.executesCode.parse(options), path, site), path, site) };
  });
}

/**
 * A multiple_choice metric aggregated by `aggregation: !function` in a task without process_results:
 * the function gets, per sample, the value lm-eval's multiple_choice scoring gives that metric
 * (metrics/multiple-choice-values.ts), in the Python form lm-eval gives it. A metric lm-eval gives no
 * value there is refused: lm-eval would aggregate nothing for it.
 */
function multipleChoicePythonMetric(name: string, pythonAggregation: PythonHook, higherIsBetter: boolean | undefined, path: ConfigPath, site: ConfigSite, seen: Set<string>): MetricSpec {
  if (!isMultipleChoiceValue(name)) {
    site.fail([...path, "metric"], `\`${name}\` has no per-sample value in lm-eval's multiple_choice scoring (it gives ${Object.keys(MULTIPLE_CHOICE_VALUE_FORMS).join(", ")}), so \`${pythonAggregation.tag}\` would get nothing: use one of those, or a process_results hook`);
  }
  if (seen.has(name)) site.fail([...path, "metric"], `metric \`${name}\` is listed twice`);
  seen.add(name);
  return {
    name,
    aggregation: pythonAggregation.tag,
    higherIsBetter: higherIsBetter ?? getMetric(name)?.higherIsBetter ?? name !== "brier_score",
    score: () => Number.NaN,
    pythonAggregation,
    pythonItem: MULTIPLE_CHOICE_VALUE_FORMS[name],
  };
}

/** A code metric's program builder: the answer itself, or `program` rendered with the doc and the answer as `completion`. */
function codeExecution(code: { key(k: number): string }, options: { ks: readonly number[]; program?: string }, path: ConfigPath, site: ConfigSite): CodeExecutionSpec {
  const template = options.program === undefined ? undefined : compileTemplate(options.program, site.where([...path, "program"]));
  return {
    ks: options.ks,
    key: (k) => code.key(k),
    program: (doc, answer) => (template ? template.render({ ...doc, completion: answer }) : answer),
  };
}

/** Runs a filter or metric factory; its ZodError becomes a failure at the offending option. */
function createWith<T>(create: () => T, path: ConfigPath, site: ConfigSite): T {
  try {
    return create();
  } catch (e) {
    if (!(e instanceof z.ZodError)) throw e;
    const issue = e.issues[0]!;
    if (issue.code === "unrecognized_keys") {
      site.fail([...path, ...issue.path, issue.keys[0]!], `unknown option \`${issue.keys[0]}\` for \`${formatPath(path)}\``);
    }
    site.fail([...path, ...issue.path], issue.message);
  }
}

/** `gen_prefix`: a sample's field when the line has one of that name (as lm-eval reads a column), else a template. */
function taskGenPrefix(config: TaskConfig, site: ConfigSite): ((doc: Doc) => string) | undefined {
  return config.gen_prefix === undefined ? undefined : compileGenPrefix(config.gen_prefix, site.where(["gen_prefix"]));
}


