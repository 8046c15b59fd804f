import { createHash } from "node:crypto";
import * as z from "zod";
import { TaskInputError } from "../errors/task-input-error.js";
import type { ChatMessage, Doc } from "../types.js";
import type { ConfigSite } from "./yaml-location.js";
import { compileField } from "./fields.js";
import { compileRawTarget, targetText } from "./gold.js";
import { pyStr } from "../python/repr.js";
import type { TaskConfig } from "./schema.js";
import { maybeDelimit, requiresDelimiter } from "./delimit.js";
import { compileTemplate, type TemplateWhere } from "./template.js";

/**
 * Few-shot examples, as lm-evaluation-harness puts them before a prompt (ContextSampler.get_context):
 * for each example `doc_to_text + target_delimiter + target + fewshot_delimiter`, where the target of a
 * task with choices is the gold choice's text, and an example whose target is "" adds its text only.
 * The prompt is then description + examples + doc_to_text. With `--fewshot-as-multiturn`, a chat
 * request shows each example as a user turn and its target as the assistant's reply instead.
 *
 * `fewshot_config` keys, lm-eval's first:
 * - `sampler`: `first_n` (the pool's first n, as mmlu does) or `default` (a random draw);
 * - `samples`: the pool inline, a list of docs;
 * - `doc_to_text` / `doc_to_target`: how examples are rendered, when it differs from the task's;
 * - streameval's: `file` (the pool as a JSONL file, relative to the task file), `match_field` (draw only
 *   from pool docs whose field equals the sample's, e.g. `subject`: mmlu's per-subject dev examples),
 *   `seed` (default 1234).
 *
 * The `default` draw is seeded per document (the seed and the document's content), so a prompt is the
 * same whatever order samples stream in and whether the run resumed. lm-eval draws from one generator
 * shared by every document in dataset order, so its random picks differ; `first_n` is identical. As in
 * lm-eval, an example equal to the document itself is dropped (leaving n − 1 examples).
 */
export const FewshotConfigSchema = z.looseObject({
  sampler: z.enum(["default", "first_n"], { error: "expected `default` or `first_n`" }).default("default"),
  samples: z.array(z.record(z.string(), z.unknown()), { error: "expected a list of docs (mappings)" }).optional(),
  file: z.string().min(1).optional(),
  match_field: z.string().min(1).optional(),
  seed: z.int().default(1234),
  doc_to_text: z.union([z.string(), z.int()]).optional(),
  doc_to_target: z.union([z.string(), z.int()]).optional(),
  gen_prefix: z.string().optional(),
});

export type FewshotConfig = z.output<typeof FewshotConfigSchema>;

/** Few-shot examples for a task, compiled once. */
export interface Fewshot {
  readonly num: number;
  /** The examples before a document's prompt, as one string ("" when there are none). */
  context(doc: Doc): string;
  /** The examples as chat turns: user (text) then assistant (target), for each. */
  turns(doc: Doc): ChatMessage[];
}

/** The task's own renderings, which examples use unless fewshot_config overrides them. */
export interface FewshotParts {
  readonly text: (doc: Doc) => unknown;
  readonly choices?: (doc: Doc) => string[];
  /** The task's `gen_prefix`, resolved for a doc; examples take it unless `fewshot_config.gen_prefix` overrides it. */
  readonly genPrefix?: (doc: Doc) => string;
}

/** Parses `fewshot_config` (absent: the defaults); a problem fails at `fewshot_config.<key>`. */
export function parseFewshotConfig(config: TaskConfig, site: ConfigSite): FewshotConfig {
  const r = FewshotConfigSchema.safeParse(config.fewshot_config ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  return site.fail(["fewshot_config", ...issue.path], issue.message);
}

export function compileFewshot(config: TaskConfig, fc: FewshotConfig, num: number, pool: readonly Doc[], parts: FewshotParts, site: ConfigSite): Fewshot {
  if (pool.length < num) site.fail(["num_fewshot"], `num_fewshot is ${num} but the few-shot pool has only ${pool.length} example(s)`);
  const text = fc.doc_to_text === undefined ? parts.text : compileField(fc.doc_to_text, site.where(["fewshot_config", "doc_to_text"]));
  const raw = compileRawTarget(fc.doc_to_target ?? config.doc_to_target, site.where(["fewshot_config", "doc_to_target"]));
  const targetOf = (doc: Doc) => targetText(raw(doc), parts.choices?.(doc));
  const prefixOf = fc.gen_prefix === undefined ? parts.genPrefix : compileGenPrefix(fc.gen_prefix, site.where(["fewshot_config", "gen_prefix"]));
  const targetDelimiter = config.target_delimiter;
  const delimiter = config.fewshot_delimiter;
  // lm-eval draws one extra when examples come from the split being evaluated, then drops the doc itself.
  const draw = config.fewshot_split != null && config.fewshot_split === config.test_split ? num + 1 : num;
  const groups = fc.match_field ? groupBy(pool, fc.match_field) : undefined;
  const keys = pool.map((d) => JSON.stringify(d));

  const select = (doc: Doc): Doc[] => {
    let candidates: readonly number[] | undefined;
    if (fc.match_field) {
      const value = doc[fc.match_field];
      candidates = groups!.get(groupKey(value)) ?? [];
      if (candidates.length < num) {
        throw new TaskInputError(`few-shot: ${candidates.length} example(s) with ${fc.match_field} = ${pyStr(value)}, num_fewshot is ${num}`, fc.match_field);
      }
    }
    const size = candidates?.length ?? pool.length;
    const n = Math.min(draw, size);
    const picks = fc.sampler === "first_n" ? Array.from({ length: n }, (_, i) => i) : sampleIndices(size, n, `${fc.seed}\0${JSON.stringify(doc)}`);
    const self = JSON.stringify(doc);
    return picks
      .map((i) => candidates?.[i] ?? i)
      .filter((i) => keys[i] !== self)
      .slice(0, num)
      .map((i) => pool[i]!);
  };

  return {
    num,
    context(doc) {
      let out = "";
      for (const ex of select(doc)) {
        const q = pyStr(text(ex));
        const target = targetOf(ex);
        const prefix = prefixOf?.(ex);
        if (!prefix) {
          out += q + (target !== "" ? targetDelimiter + target + delimiter : "");
          continue;
        }
        // lm-eval's build_qa_turn with gen_prefix: the prefix starts each example's answer.
        out += q + (requiresDelimiter(q, prefix) ? targetDelimiter : "") + (target !== "" ? maybeDelimit(prefix, target) + delimiter : prefix);
      }
      return out;
    },
    turns(doc) {
      return select(doc).flatMap((ex): ChatMessage[] => [
        { role: "user", content: pyStr(text(ex)) },
        { role: "assistant", content: maybeDelimit(prefixOf?.(ex), targetOf(ex)) },
      ]);
    },
  };
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
  let a = createHash("sha256").update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
