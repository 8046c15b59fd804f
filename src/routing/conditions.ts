import { z } from "../zod.js";
import type { RouteContext } from "./types.js";

/**
 * Conditions over a sample, as routing YAML writes them (`when:`): a map from a selector to a test,
 * every entry of which must hold.
 *
 * Selectors: `prompt_tokens`, `prompt_chars`, `task`, `output_type`, `id`, `has_image`, `has_audio`,
 * `image_count` (the sample's media), and `doc.<path>` for a field
 * of the sample's line (`doc.subject`, `doc.meta.lang`, `doc.turns.0`). Combinators: `all: [map …]`,
 * `any: [map …]`, `not: map`.
 *
 * Tests: a plain value (equals), or a map of operators that must all hold: `eq`, `ne`, `gt`, `gte`,
 * `lt`, `lte` (numbers), `in`, `not_in` (lists), `matches` (a JavaScript regular expression, tested
 * against the value as text), `exists` (true: the field is present). A missing field fails every test
 * but `ne`, `not_in` and `exists: false`.
 */
export type Condition = (context: RouteContext) => boolean;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const OperatorsSchema = z.strictObject({
    eq: Scalar.optional(),
    ne: Scalar.optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    in: z.array(Scalar).optional(),
    not_in: z.array(Scalar).optional(),
    matches: z.string().optional(),
    exists: z.boolean().optional(),
});

export type Test = z.output<typeof Scalar> | z.output<typeof OperatorsSchema>;
export type WhenMap = { readonly [selector: string]: Test | readonly WhenMap[] | WhenMap };

const FIXED: Readonly<Record<string, (c: RouteContext) => unknown>> = {
  prompt_tokens: (c) => c.promptTokens,
  prompt_chars: (c) => c.prompt.length,
  task: (c) => c.task.name,
  output_type: (c) => c.task.outputType,
  id: (c) => c.sample.id,
  // Route samples with images to a vision model: `when: {has_image: true}`.
  has_image: (c) => (c.media ?? []).some((m) => m.type === "image" || m.type === "video"),
  has_audio: (c) => (c.media ?? []).some((m) => m.type === "audio"),
  image_count: (c) => (c.media ?? []).filter((m) => m.type === "image").length,
};

/** Thrown for a condition that cannot be compiled; `path` is where, inside the `when` map. */
export class ConditionError extends Error {
  constructor(
    message: string,
    readonly path: readonly PropertyKey[],
  ) {
    super(message);
  }
}

/** Compiles a `when` map to a predicate; throws a ConditionError naming the offending entry. */
export function compileWhen(when: unknown, path: readonly PropertyKey[] = []): Condition {
  if (typeof when !== "object" || when === null || Array.isArray(when)) throw new ConditionError("expected a map of conditions", path);
  const parts = Object.entries(when).map(([key, value]) => compileEntry(key, value, [...path, key]));
  return (c) => parts.every((p) => p(c));
}

function compileEntry(key: string, value: unknown, path: readonly PropertyKey[]): Condition {
  if (key === "all" || key === "any") {
    if (!Array.isArray(value) || value.length === 0) throw new ConditionError(`\`${key}\` expects a non-empty list of condition maps`, path);
    const parts = value.map((v, i) => compileWhen(v, [...path, i]));
    return key === "all" ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
  }
  if (key === "not") {
    const inner = compileWhen(value, path);
    return (c) => !inner(c);
  }
  const select = selector(key, path);
  const test = compileTest(value, path);
  return (c) => test(select(c));
}

const MISSING = Symbol("missing");

function selector(key: string, path: readonly PropertyKey[]): (c: RouteContext) => unknown {
  const fixed = FIXED[key];
  if (fixed) return fixed;
  if (!key.startsWith("doc.") || key.length === 4) {
    throw new ConditionError(`unknown selector \`${key}\` (use ${Object.keys(FIXED).join(", ")}, doc.<field>, all, any, not)`, path);
  }
  const steps = key.slice(4).split(".");
  return (c) => {
    let v: unknown = c.doc;
    for (const s of steps) {
      if (typeof v !== "object" || v === null || !Object.hasOwn(v, s)) return MISSING;
      v = (v as Record<string, unknown>)[s];
    }
    return v;
  };
}

function compileTest(value: unknown, path: readonly PropertyKey[]): (v: unknown) => boolean {
  const isMap = typeof value === "object" && value !== null && !Array.isArray(value);
  const parsed = isMap ? OperatorsSchema.safeParse(value) : Scalar.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const detail =
      issue.code === "unrecognized_keys"
        ? `unknown operator \`${issue.keys[0]}\` (use eq, ne, gt, gte, lt, lte, in, not_in, matches, exists)`
        : isMap
          ? issue.message
          : "expected a value (text, number, boolean or null) or a map of operators";
    throw new ConditionError(detail, [...path, ...issue.path]);
  }
  const t = parsed.data;
  if (t === null || typeof t !== "object") return (v) => v !== MISSING && v === t;
  if (Object.keys(t).length === 0) throw new ConditionError("expected at least one operator", path);
  let regex: RegExp | undefined;
  if (t.matches !== undefined) {
    try {
      regex = new RegExp(t.matches);
    } catch (e) {
      throw new ConditionError(`invalid regular expression: ${(e as Error).message}`, [...path, "matches"]);
    }
  }
  const checks: ((v: unknown) => boolean)[] = [];
  if (t.exists !== undefined) checks.push((v) => (v !== MISSING) === t.exists);
  if (t.eq !== undefined) checks.push((v) => v === t.eq);
  if (t.ne !== undefined) checks.push((v) => v !== t.ne);
  for (const [op, cmp] of [["gt", (a: number, b: number) => a > b], ["gte", (a: number, b: number) => a >= b], ["lt", (a: number, b: number) => a < b], ["lte", (a: number, b: number) => a <= b]] as const) {
    const bound = t[op];
    if (bound !== undefined) checks.push((v) => typeof v === "number" && cmp(v, bound));
  }
  if (t.in !== undefined) checks.push((v) => t.in!.includes(v as never));
  if (t.not_in !== undefined) checks.push((v) => !t.not_in!.includes(v as never));
  if (regex) checks.push((v) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean") && regex.test(String(v)));
  return (v) => checks.every((check) => check(v));
}
