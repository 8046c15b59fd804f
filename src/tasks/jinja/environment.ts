import nunjucks from "nunjucks";
import { TaskInputError, isTaskInputError } from "../../errors/index.js";
import { pyCompile, pySub, type PyPattern } from "../../python/re.js";
import { PyFloat, pyStr } from "../../python/repr.js";
import { pyStrip } from "../../python/str.js";
import { pyCallMethod, STR_METHODS } from "../../python/methods.js";
import { isPythonError } from "../../python/python-error.js";
import { isPlainObject, pyAdd, pyBool, pyCompare, pyConcat, pyGetItem, pyIn, pyIter, pyLen, pyMod, pyMul, pySlice, pyType } from "../../python/operators.js";
import { pyLiteralEval } from "../../python/literal.js";
import { numberResult, pyFloorDiv, pyMinus, pyNeg, pyPos, pyPow, pyTrueDiv } from "../../python/arithmetic.js";
import { lookupName, makeDict, safeCallee, safeValue, type SandboxOps } from "./sandbox.js";
import { HELPERS } from "./transform.js";

/**
 * A nunjucks Environment for task templates: autoescape off (prompts are not HTML), the `__py_*`
 * helpers the rewritten templates call, and Jinja's (lm-eval's) versions of the filters and tests
 * where nunjucks differs: `length` counts code points, `join`/`string` use Python's `str()`,
 * `int`/`float`/`trim`/`replace`/`title` behave as Jinja's, plus lm-eval's `regex_replace`.
 *
 * nunjucks wraps any error thrown inside a template into a plain Error; `failure` keeps the original
 * TaskInputError (renders are synchronous, so the last one thrown is the one that ended the render).
 * `sample.doc` is the sample being rendered: names resolve to its own fields (sandbox.ts), so it is
 * never copied into nunjucks' context (whose copy would turn a `__proto__` field into a prototype).
 */
export interface TemplateEnvironment {
  readonly env: nunjucks.Environment;
  readonly failure: { error?: TaskInputError };
  readonly sample: { doc?: unknown };
  readonly ops: SandboxOps;
}

type Fn = (...args: never[]) => unknown;

const jinjaInt = (v: unknown, dflt: unknown = 0): unknown => {
  if (typeof v === "boolean") return Number(v);
  if (v instanceof PyFloat) return Math.trunc(v.value);
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : dflt;
  if (typeof v !== "string") return dflt;
  const t = pyStrip(v).replace(/(?<=\d)_(?=\d)/g, "");
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Math.trunc(Number(t)) : dflt;
};

const jinjaFloat = (v: unknown, dflt: unknown = 0): unknown => {
  const asFloat = (x: unknown) => (typeof x === "number" ? numberResult(x, true) : x);
  if (typeof v === "boolean" || typeof v === "number" || v instanceof PyFloat) return numberResult(Number(v), true);
  return asFloat(jinjaFloatOf(v, dflt));
};

const jinjaFloatOf = (v: unknown, dflt: unknown): unknown => {
  if (typeof v !== "string") return dflt;
  const t = pyStrip(v);
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) || /^[+-]?(inf|infinity|nan)$/i.test(t) ? Number(t.replace(/inf(inity)?/i, "Infinity")) : dflt;
};

export function createTemplateEnvironment(): TemplateEnvironment {
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  const failure: { error?: TaskInputError } = {};
  const sample: { doc?: unknown } = {};
  const ops: SandboxOps = {
    name: (context, frame, name) => lookupName(sample.doc, context as Parameters<typeof lookupName>[1], frame as Parameters<typeof lookupName>[2], name),
    member: (obj, key) => safeValue(pyGetItem(obj, key)),
    dict: makeDict,
    callee: safeCallee,
    value: safeValue,
  };
  const patterns = new Map<string, PyPattern>();

  const strict = (value: unknown, name: string): unknown => {
    if (value === undefined) {
      throw new TaskInputError(`missing field \`${name}\``, name);
    }
    return value;
  };

  const callMethod = (obj: unknown, method: string, name: string, ...args: unknown[]): unknown => {
    const own = isPlainObject(obj) && Object.hasOwn(obj, method) ? obj[method] : undefined;
    if (typeof own === "function") return (own as (...a: unknown[]) => unknown).apply(obj, args);
    try {
      return pyCallMethod(obj, method, args);
    } catch (e) {
      if (isTaskInputError(e) || isPythonError(e)) throw new TaskInputError(`\`${name}.${method}()\`: ${e.message}`, name);
      throw e;
    }
  };

  const regexReplace = (s: unknown, pattern: unknown, repl: unknown, count: unknown = 0): string => {
    if (typeof s !== "string" || typeof pattern !== "string" || typeof repl !== "string") throw new TaskInputError("regex_replace expects strings");
    let p = patterns.get(pattern);
    if (!p) {
      if (patterns.size >= 64) patterns.clear(); // patterns come from templates: a handful per task
      p = pyCompile(pattern);
      patterns.set(pattern, p);
    }
    return pySub(p, s, repl, Number(count));
  };

  const filters: Record<string, Fn> = {
    [HELPERS.strict]: strict,
    [HELPERS.getitem]: (obj: unknown, key: unknown) => safeValue(pyGetItem(obj, key)),
    [HELPERS.slice]: pySlice,
    [HELPERS.call]: callMethod,
    [HELPERS.out]: (v: unknown, name: string) => {
      if (v === undefined) throw new TaskInputError(`\`${name}\` is undefined`, name);
      return pyStr(v);
    },
    [HELPERS.json]: (v: unknown) => JSON.stringify(v),
    [HELPERS.bool]: pyBool,
    [HELPERS.compare]: pyCompare,
    [HELPERS.add]: pyAdd,
    [HELPERS.mul]: pyMul,
    [HELPERS.mod]: pyMod,
    [HELPERS.concat]: pyConcat,
    [HELPERS.sub]: pyMinus,
    [HELPERS.div]: pyTrueDiv,
    [HELPERS.floordiv]: pyFloorDiv,
    [HELPERS.pow]: pyPow,
    [HELPERS.neg]: pyNeg,
    [HELPERS.pos]: pyPos,
    [HELPERS.in]: pyIn,
    [HELPERS.iter]: pyIter,
    [HELPERS.float]: (x: number) => numberResult(x, true),
    length: pyLen,
    count: pyLen,
    string: pyStr,
    join: (v: unknown, sep: unknown = "") => {
      if (!Array.isArray(v)) throw new TaskInputError("join expects a list");
      return v.map(pyStr).join(pyStr(sep));
    },
    trim: (v: unknown, chars: unknown = null) => pyStrip(pyStr(v), chars as string | null),
    replace: (v: unknown, old: unknown, rep: unknown, count: unknown = -1) => STR_METHODS.replace!(pyStr(v), [old, rep, count ?? -1]),
    title: (v: unknown) => STR_METHODS.title!(pyStr(v), []),
    int: jinjaInt,
    float: jinjaFloat,
    regex_replace: regexReplace,
    // Python's ast.literal_eval, for fields that hold a Python literal (MMMU's `options`: "['a', 'b']").
    literal_eval: (v: unknown) => {
      if (typeof v !== "string") throw new TaskInputError(`literal_eval expects a string, got ${pyType(v)}`);
      try {
        return pyLiteralEval(v);
      } catch (e) {
        throw new TaskInputError(`literal_eval: ${(e as Error).message}`);
      }
    },
  };
  const tests: Record<string, Fn> = {
    none: (v: unknown) => v === null,
    true: (v: unknown) => v === true,
    false: (v: unknown) => v === false,
    boolean: (v: unknown) => typeof v === "boolean",
    integer: (v: unknown) => typeof v === "number" && Number.isInteger(v),
    float: (v: unknown) => v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v)),
    sequence: (v: unknown) => typeof v === "string" || Array.isArray(v) || isPlainObject(v),
    in: (v: unknown, seq: unknown) => pyIn(v, seq),
  };

  // Keep the TaskInputError itself: nunjucks would replace it by a plain Error with a prefixed message.
  // What Python would raise on a sample's values means the sample does not fit the template.
  const keep = (fn: Fn): Fn => (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      const error = isPythonError(e) ? new TaskInputError(e.message) : e;
      if (isTaskInputError(error)) failure.error = error;
      throw error;
    }
  };
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, keep(fn) as (...args: unknown[]) => unknown);
  const withTests = env as nunjucks.Environment & { addTest(name: string, fn: (...args: unknown[]) => boolean): void };
  for (const [name, fn] of Object.entries(tests)) withTests.addTest(name, keep(fn) as (...args: unknown[]) => boolean);
  return { env, failure, sample, ops };
}
