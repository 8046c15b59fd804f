/**
 * What keeps a task template from reaching JavaScript. Task files are shared on the internet, so a
 * template is untrusted input: whatever it writes, it sees only data.
 *
 * - Names resolve to own properties only: of the template's own variables, of the sample, of the
 *   globals (`range`, `cycler`, `joiner`). `constructor`, `__proto__`, `toString` are ordinary names
 *   that a sample may have or not.
 * - Items and attributes (`a.b`, `a[k]`) are own data properties of plain data (pyGetItem), never
 *   inherited members, never getters.
 * - Dict literals and keyword arguments are built without a prototype, so `{'__proto__': x}` is a
 *   dict with the key `__proto__`.
 * - A call's target must be a function the template was given (a global, a macro, a cycler's
 *   method), never one of JavaScript's intrinsics (the Function constructors, Object, eval …).
 *
 * These are enforced in the compiler (compileTree installs them on its own Compiler instance), so
 * every construct nunjucks compiles, rewritten by transform.ts or not, goes through them.
 */

const intrinsicFunctions = (): Set<unknown> => {
  const protoOf = (f: unknown): unknown => Object.getPrototypeOf(f);
  const forbidden = new Set<unknown>([
    Function,
    Object,
    eval,
    Reflect.apply,
    Reflect.construct,
    (protoOf(async function () {}) as { constructor: unknown }).constructor,
    (protoOf(function* () {}) as { constructor: unknown }).constructor,
    (protoOf(async function* () {}) as { constructor: unknown }).constructor,
  ]);
  for (const proto of [Object.prototype, Function.prototype, Array.prototype, String.prototype]) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d && typeof d.value === "function") forbidden.add(d.value);
    }
  }
  return forbidden;
};

const FORBIDDEN = intrinsicFunctions();

/** A value a template may hold: anything but a JavaScript intrinsic or a prototype object. */
export function safeValue(v: unknown): unknown {
  if (typeof v === "function") return FORBIDDEN.has(v) ? undefined : v;
  if (v === Object.prototype || v === Function.prototype || v === Array.prototype) return undefined;
  return v;
}

/** The target of `f(...)`: a function the template was given, else an error naming it. */
export function safeCallee(v: unknown, name: string): unknown {
  if (typeof v === "function" && FORBIDDEN.has(v)) throw new Error(`Unable to call \`${name}\`, which is not a template function`);
  return safeValue(v);
}

/** A dict literal or keyword arguments, without a prototype: `entries` alternates key and value. */
export function makeDict(entries: readonly unknown[]): Record<string, unknown> {
  const d = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < entries.length; i += 2) {
    Object.defineProperty(d, String(entries[i]), { value: entries[i + 1], enumerable: true, writable: true, configurable: true });
  }
  return d;
}

const own = (obj: unknown, key: string): { found: boolean; value?: unknown } => {
  if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) return { found: false };
  const d = Object.getOwnPropertyDescriptor(obj, key);
  return d && "value" in d && d.value !== undefined ? { found: true, value: d.value } : { found: false };
};

interface Frame {
  variables: object;
  parent?: Frame | null;
}

/**
 * A name in a template: the innermost template variable (`set`, loop, macro argument), then a
 * variable set at the top level (visible inside macros), then the sample's field, then a global.
 * Only own properties count; undefined when none has it.
 */
export function lookupName(doc: unknown, context: { ctx: object; env: { globals: object } }, frame: Frame | null | undefined, name: string): unknown {
  for (let f = frame; f; f = f.parent) {
    const v = own(f.variables, name);
    if (v.found) return safeValue(v.value);
  }
  for (const scope of [context.ctx, doc, context.env.globals]) {
    const v = own(scope, name);
    if (v.found) return safeValue(v.value);
  }
  return undefined;
}

/** The hardened operations compiled templates call (the compiler emits `__safe.…`). */
export interface SandboxOps {
  /** Looks a name up for the sample being rendered. */
  name(context: unknown, frame: unknown, name: string): unknown;
  member(obj: unknown, key: unknown): unknown;
  dict(entries: unknown[]): Record<string, unknown>;
  callee(v: unknown, name: string): unknown;
  value(v: unknown): unknown;
}

export const SANDBOX_PARAM = "__safe";

interface CompilerInternals {
  _emit(code: string): void;
  compile(node: unknown, frame: unknown): void;
  _compileExpression(node: unknown, frame: unknown): void;
  _getNodeName(node: unknown): string;
}

interface CompileNode {
  value?: unknown;
  children: CompileNode[];
  key?: CompileNode & { typename: string; value?: unknown; lineno: number; colno: number };
  name?: CompileNode;
  args?: CompileNode;
  lineno: number;
  colno: number;
  typename: string;
}

/** Own-only lookup in the compiler's own (compile-time) frames, which map names to JS locals. */
function compileTimeLocal(frame: Frame | null | undefined, name: string): string | undefined {
  for (let f = frame; f; f = f.parent) {
    const v = own(f.variables, name);
    if (v.found) return typeof v.value === "string" ? v.value : undefined;
  }
  return undefined;
}

/**
 * Replaces, on one nunjucks Compiler instance, the code it emits for names, lookups, dicts and
 * calls by calls to `__safe` (a SandboxOps the compiled code receives as a parameter, out of any
 * template's reach).
 */
export function hardenCompiler(compiler: object): void {
  const c = compiler as CompilerInternals & Record<string, unknown>;
  const P = SANDBOX_PARAM;
  c.compileSymbol = (node: CompileNode, frame: Frame) => {
    const name = String(node.value);
    const local = compileTimeLocal(frame, name);
    c._emit(local ? `${P}.value(${local})` : `${P}.name(context, frame, ${JSON.stringify(name)})`);
  };
  c.compileLookupVal = (node: CompileNode & { target: unknown; val: unknown }, frame: unknown) => {
    c._emit(`${P}.member((`);
    c._compileExpression(node.target, frame);
    c._emit("),");
    c._compileExpression(node.val, frame);
    c._emit(")");
  };
  const dict = (node: CompileNode, frame: unknown) => {
    c._emit(`${P}.dict([`);
    node.children.forEach((pair, i) => {
      if (i > 0) c._emit(",");
      const key = pair.key!;
      if (key.typename !== "Symbol" && !(key.typename === "Literal" && typeof key.value === "string")) {
        throw Object.assign(new Error("Dict keys must be strings or names"), { lineno: key.lineno, colno: key.colno });
      }
      c._emit(`${JSON.stringify(String(key.value))},`);
      c._compileExpression(pair.value, frame);
    });
    c._emit("])");
  };
  c.compileDict = dict;
  c.compileKeywordArgs = (node: CompileNode, frame: unknown) => {
    c._emit("runtime.makeKeywordArgs(");
    dict(node, frame);
    c._emit(")");
  };
  c.compileFunCall = (node: CompileNode, frame: unknown) => {
    const label = JSON.stringify(c._getNodeName(node.name));
    c._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.callWrap(${P}.callee(`);
    c._compileExpression(node.name, frame);
    c._emit(`, ${label}), ${label}, context, [`);
    node.args!.children.forEach((a, i) => {
      if (i > 0) c._emit(",");
      c.compile(a, frame);
    });
    c._emit("]))");
  };
}
