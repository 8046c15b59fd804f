import { createHash } from "node:crypto";
import { z } from "../zod.js";
import { TaskInputError } from "../errors/task-input-error.js";
import type { ChatMessage, Doc } from "../types.js";
import type { ConfigSite } from "./yaml-location.js";
import { asChoices, compileChoices, compileField } from "./fields.js";
import { pyIndex } from "./gold.js";
import { isPythonHook, type PythonHook } from "../python/hooks/hook-ref.js";
import { pyLiteralEval } from "../python/literal.js";
import { hasHookValues, hookFailure, hookValue, withHookValues } from "./hook-values.js";
import type { FewshotPython } from "../work/task.js";
import { pyStr } from "../python/repr.js";
import type { TaskConfig } from "./schema.js";
import { maybeDelimit, requiresDelimiter } from "./delimit.js";
import { compileTemplate, type TemplateWhere } from "./template.js";
import { mulberry32 } from "../stats/mulberry32.js";
import { LmEvalDraws } from "./fewshot-draws.js";

/**
 * Few-shot examples, as lm-evaluation-harness 0.4.13 puts them before a prompt (fewshot_context,
 * build_qa_turn): for each example `doc_to_text + target_delimiter + target + fewshot_delimiter`, where
 * the target of a task with choices is the gold choice's text, a list target shows its first item, and
 * an example whose target is "" adds its text only. The prompt is then description + examples +
 * doc_to_text. With `--fewshot-as-multiturn`, a chat request shows each example as a user turn and its
 * target as the assistant's reply instead.
 *
 * `fewshot_config` keys, lm-eval's first:
 * - `sampler`: `first_n` (the pool's first n, as mmlu does) or `default` (a random draw);
 * - `samples`: the pool inline, a list of docs, or `!function m.f` returning one;
 * - `doc_to_text` / `doc_to_target` / `doc_to_choice`, `target_delimiter` / `fewshot_delimiter`,
 *   `gen_prefix`: how examples are rendered, when it differs from the task's (hooks too); `split`;
 * - streameval's: `file` (the pool as a JSONL file, relative to the task file), `match_field` (draw only
 *   from pool docs whose field equals the sample's, e.g. `subject`: mmlu's per-subject dev examples),
 *   `seed` (default 1234).
 *
 * The `default` draw is lm-eval's: one `random.Random(seed)` shared by the task's documents in dataset
 * order, the document at `position` (its index in the input) taking the position-th `random.sample` of the
 * pool (fewshot-draws.ts), so the examples equal lm-eval's whatever order samples are evaluated in, resumed
 * or spread over workers. Without a position (a caller that has only the doc), or with `match_field`
 * (streameval's, drawing from a group of the pool), the draw is seeded by the seed and the document's
 * content instead. As in lm-eval, when the few-shot split is the test split (or neither is named) the
 * document itself is never one of its examples: the sampler draws n + 1 and drops it (first_n: the pool
 * without it, then n).
 */
const hook = z.custom<PythonHook>(isPythonHook, { error: "expected `!function module.name`" });

export const FewshotConfigSchema = z.looseObject({
  sampler: z.enum(["default", "first_n"], { error: "expected `default` or `first_n`" }).default("default"),
  samples: z.union([z.array(z.record(z.string(), z.unknown())), hook], { error: "expected a list of docs (mappings), or `!function module.name` returning one" }).optional(),
  file: z.string().min(1).optional(),
  match_field: z.string().min(1).optional(),
  seed: z.int().default(1234),
  split: z.string().nullish(),
  doc_to_text: z.union([z.string(), z.int(), hook]).optional(),
  doc_to_target: z.union([z.string(), z.int(), hook]).optional(),
  doc_to_choice: z.union([z.string(), z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.union([z.string(), z.number()])), hook]).optional(),
  target_delimiter: z.string().optional(),
  fewshot_delimiter: z.string().optional(),
  gen_prefix: z.string().optional(),
});

export type FewshotConfig = z.output<typeof FewshotConfigSchema>;

/** Few-shot examples for a task, compiled once. */
export interface Fewshot {
  readonly num: number;
  /** The examples before a document's prompt, as one string ("" when there are none); `position`: the document's index in its input. */
  context(doc: Doc, position?: number): string;
  /** The examples as chat turns: user (text) then assistant (target), for each. */
  turns(doc: Doc, position?: number): ChatMessage[];
  /** The examples depend on the document's position in its input (the default sampler, as lm-eval's), not only on the document. */
  readonly byPosition: boolean;
  /** Set when the pool or the examples' renderings come from Python hooks: the hook stage's part. */
  readonly python?: FewshotPython;
}

/** The task's own renderings, which examples use unless fewshot_config overrides them. */
export interface FewshotParts {
  readonly text: (doc: Doc) => unknown;
  readonly choices?: (doc: Doc) => string[];
  /** The task's `gen_prefix`, resolved for a doc; examples take it unless `fewshot_config.gen_prefix` overrides it. */
  readonly genPrefix?: (doc: Doc) => string;
}

/** Where the pool comes from: given docs (inline `samples`, or a split's rows from a file), or a `samples` hook. */
export interface FewshotPoolSource {
  readonly docs?: readonly Doc[];
  /** The docs are a dataset split's rows (`--fewshot-file`, `fewshot_config.file`): lm-eval runs `process_docs` on them. */
  readonly isSplit?: boolean;
}

/** Parses `fewshot_config` (absent: the defaults); a problem fails at `fewshot_config.<key>`. */
export function parseFewshotConfig(config: TaskConfig, site: ConfigSite): FewshotConfig {
  const r = FewshotConfigSchema.safeParse(config.fewshot_config ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  return site.fail(["fewshot_config", ...issue.path], issue.message);
}

type ExampleKey = keyof FewshotPython["hooks"];

/**
 * Compiles the few-shot examples as lm-eval 0.4.13's `fewshot_context` builds them: each example is
 * rendered with fewshot_config's doc_to_text / doc_to_choice / doc_to_target when set, else the task's
 * (Python hooks included), and joined with fewshot_config's target_delimiter / fewshot_delimiter, else
 * the task's. The pool is a split's rows (then `process_docs` runs on it, whole, as lm-eval runs it on
 * the split), inline `samples`, or what a `samples` hook returns; with Python in any of these, the hook
 * stage fills the pool and the examples' hook values in (see FewshotPython) before a prompt is made.
 */
export function compileFewshot(config: TaskConfig, fc: FewshotConfig, num: number, source: FewshotPoolSource, parts: FewshotParts, site: ConfigSite): Fewshot {
  const checkSize = (size: number) => {
    if (size < num) throw new TaskInputError(`num_fewshot is ${num} but the few-shot pool has only ${size} example(s)`, "num_fewshot");
  };
  const samplesHook = isPythonHook(fc.samples) ? fc.samples : undefined;
  const processDocs = source.isSplit && isPythonHook(config.process_docs) ? config.process_docs : undefined;
  const given = source.docs ?? (Array.isArray(fc.samples) ? fc.samples : undefined);
  if (given && !processDocs && given.length < num) site.fail(["num_fewshot"], `num_fewshot is ${num} but the few-shot pool has only ${given.length} example(s)`);

  // lm-eval's FewshotConfig inherits each of these from the task when fewshot_config does not set it.
  const specs = { doc_to_text: fc.doc_to_text ?? config.doc_to_text, doc_to_target: fc.doc_to_target ?? config.doc_to_target, doc_to_choice: fc.doc_to_choice ?? config.doc_to_choice };
  const hooks: Partial<Record<ExampleKey, PythonHook>> = {};
  for (const key of ["doc_to_text", "doc_to_target", "doc_to_choice"] as const) if (isPythonHook(specs[key])) hooks[key] = specs[key];
  const text = hooks.doc_to_text ? (ex: Doc) => hookValue(ex, "doc_to_text") : fc.doc_to_text === undefined ? parts.text : compileField(fc.doc_to_text, site.where(["fewshot_config", "doc_to_text"]));
  const choicesOf = hooks.doc_to_choice
    ? (ex: Doc) => asChoices(hookValue(ex, "doc_to_choice"))
    : fc.doc_to_choice === undefined
      ? parts.choices
      : compileChoices(fc.doc_to_choice, site.where(["fewshot_config", "doc_to_choice"]));
  const targetSpec = specs.doc_to_target;
  const targetField = hooks.doc_to_target ? (ex: Doc) => hookValue(ex, "doc_to_target") : targetSpec === undefined ? () => "" : compileField(targetSpec, site.where([fc.doc_to_target === undefined ? "doc_to_target" : "fewshot_config", ...(fc.doc_to_target === undefined ? [] : ["doc_to_target"])]));
  const targetIsTemplate = typeof targetSpec === "string" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(targetSpec);
  const prefixOf = fc.gen_prefix === undefined ? parts.genPrefix : compileGenPrefix(fc.gen_prefix, site.where(["fewshot_config", "gen_prefix"]));
  const targetDelimiter = fc.target_delimiter ?? config.target_delimiter;
  const delimiter = fc.fewshot_delimiter ?? config.fewshot_delimiter;
  // lm-eval passes the doc being evaluated to the sampler (which leaves it out) when the few-shot split
  // is the test split, None == None included.
  const sameSplit = (fc.split ?? config.fewshot_split ?? null) === (config.test_split ?? null);

  let pool: Doc[] = [];
  let keys: string[] = [];
  let groups: Map<string, number[]> | undefined;
  let draws: LmEvalDraws | undefined;
  const setPool = (docs: readonly Doc[]) => {
    pool = [...docs];
    keys = pool.map((d) => JSON.stringify(d));
    groups = fc.match_field ? groupBy(pool, fc.match_field) : undefined;
    draws = undefined;
  };
  if (given && !processDocs && !samplesHook) setPool(given);
  const needsPool = Boolean(samplesHook || processDocs);
  let ready = !needsPool;

  const selectIndices = (doc: Doc, position: number | undefined): number[] => {
    if (!ready) throw new TaskInputError("few-shot: the pool has not been through the hook worker (evaluate runs it when given its `hooks` option)", "fewshot_config");
    let candidates: readonly number[] | undefined;
    if (fc.match_field) {
      const value = doc[fc.match_field];
      candidates = groups!.get(groupKey(value)) ?? [];
      if (candidates.length < num) {
        throw new TaskInputError(`few-shot: ${candidates.length} example(s) with ${fc.match_field} = ${pyStr(value)}, num_fewshot is ${num}`, fc.match_field);
      }
    }
    const at = (i: number) => candidates?.[i] ?? i;
    const size = candidates?.length ?? pool.length;
    const self = sameSplit ? JSON.stringify(doc) : undefined;
    if (fc.sampler === "first_n") {
      // FirstNSampler: the pool without the doc, then its first n.
      const out: number[] = [];
      for (let i = 0; i < size && out.length < num; i++) if (keys[at(i)] !== self) out.push(at(i));
      return out;
    }
    const draw = Math.min(sameSplit ? num + 1 : num, size);
    let picks: readonly number[];
    if (position !== undefined && !fc.match_field) picks = (draws ??= new LmEvalDraws(fc.seed, size, draw)).draw(position);
    else picks = sampleIndices(size, draw, `${fc.seed}\0${JSON.stringify(doc)}`);
    return picks
      .map(at)
      .filter((i) => keys[i] !== self)
      .slice(0, num);
  };

  /** An example as lm-eval's build_qa_turn takes it: the question, and the answer ("" for none). */
  const example = (ex: Doc): { q: string; a: string } => {
    let q = text(ex);
    let c = choicesOf?.(ex);
    if (typeof q === "number" && Number.isInteger(q) && c) {
      // Several inputs (winogrande): the text is the index of the example's context among the choices.
      q = pyIndex(c, q) ?? failIndex("doc_to_text", q, c.length);
      c = undefined;
    }
    let a = targetField(ex);
    if (typeof a === "string" && targetIsTemplate && !hooks.doc_to_target) a = literalTarget(a, choicesOf !== undefined);
    if (typeof a === "boolean") a = a ? 1 : 0;
    const answer = c && typeof a === "number" && Number.isInteger(a) ? (pyIndex(c, a) ?? failIndex("doc_to_target", a, c.length)) : Array.isArray(a) ? (a[0] as unknown) : a;
    return { q: pyStr(q), a: answer === null || answer === undefined ? "" : pyStr(answer) };
  };

  const python: FewshotPython | undefined =
    needsPool || Object.keys(hooks).length
      ? {
          samples: samplesHook,
          processDocs,
          given: processDocs ? given : undefined,
          hooks,
          get ready() {
            return ready;
          },
          setPool(docs) {
            checkSize(docs.length);
            setPool(docs);
            ready = true;
          },
          pending(doc, position) {
            if (Object.keys(hooks).length === 0) return [];
            return selectIndices(doc, position).flatMap((i) => (hasHookValues(pool[i]!) ? [] : [{ index: i, doc: pool[i]! }]));
          },
          supply(index, values) {
            pool[index] = withHookValues(pool[index]!, values);
          },
          failure(doc, position) {
            for (const i of selectIndices(doc, position)) {
              const f = hookFailure(pool[i]!);
              if (f) return f;
            }
            return undefined;
          },
        }
      : undefined;

  return {
    num,
    byPosition: num > 0 && fc.sampler === "default" && !fc.match_field,
    context(doc, position) {
      let out = "";
      for (const i of selectIndices(doc, position)) {
        const ex = pool[i]!;
        const { q, a } = example(ex);
        const prefix = prefixOf?.(ex);
        if (!prefix) {
          out += q + (a !== "" ? targetDelimiter + a + delimiter : "");
          continue;
        }
        // lm-eval's build_qa_turn with gen_prefix: the prefix starts each example's answer.
        out += q + (requiresDelimiter(q, prefix) ? targetDelimiter : "") + (a !== "" ? maybeDelimit(prefix, a) + delimiter : prefix);
      }
      return out;
    },
    turns(doc, position) {
      return selectIndices(doc, position).flatMap((i): ChatMessage[] => {
        const ex = pool[i]!;
        const { q, a } = example(ex);
        return [
          { role: "user", content: q },
          { role: "assistant", content: maybeDelimit(prefixOf?.(ex), a) },
        ];
      });
    },
    ...(python ? { python } : {}),
  };
}

const failIndex = (key: string, i: number, n: number): never => {
  throw new TaskInputError(`few-shot example: ${key} index ${i} is out of range for ${n} choices`, key);
};

/** lm-eval's doc_to_target on a rendered template: digits are an index (with doc_to_choice), `[...]` a list literal. */
function literalTarget(text: string, hasChoices: boolean): unknown {
  if (hasChoices && /^[0-9]+$/.test(text)) return Number(text);
  if (text.length >= 2 && text[0] === "[" && text.at(-1) === "]") {
    try {
      return pyLiteralEval(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** `gen_prefix` as lm-eval's resolve_field reads it: a doc's field of that name, else a template. */
export function compileGenPrefix(spec: string, where: TemplateWhere): (doc: Doc) => string {
  const template = compileTemplate(spec, where);
  const isName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(spec);
  return (doc) => (isName && Object.hasOwn(doc, spec) ? pyStr(doc[spec]) : template.render(doc));
}

const groupKey = (v: unknown): string => JSON.stringify(v ?? null);

function groupBy(pool: readonly Doc[], field: string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  pool.forEach((d, i) => {
    const k = groupKey(d[field]);
    const list = groups.get(k);
    if (list) list.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

/**
 * `k` distinct indices below `m`, in draw order, from a generator seeded by `seed` (a partial
 * Fisher–Yates shuffle over a sparse swap table: O(k) time and memory whatever the pool's size).
 */
export function sampleIndices(m: number, k: number, seed: string): number[] {
  const next = seededRandom(seed);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k && i < m; i++) {
    const j = i + Math.floor(next() * (m - i));
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(atJ);
  }
  return out;
}

/** A uniform [0, 1) generator (mulberry32) seeded from a SHA-256 of `seed`. */
export function seededRandom(seed: string): () => number {
  return mulberry32(createHash("sha256").update(seed).digest().readUInt32LE(0));
}
