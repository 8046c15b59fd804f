import { KNOWN_METHODS } from "../../python/methods.js";
import { nodes, type JNode } from "./nunjucks-internals.js";

/**
 * Rewrites a parsed template so nunjucks evaluates it with Jinja's (Python's) meaning, as lm-eval's
 * `Environment(undefined=StrictUndefined)` does:
 *
 * - every name or subscript whose value is used must exist (StrictUndefined): `__py_strict` throws a
 *   TaskInputError naming it. `x is defined` and `x | default(...)` may look at a missing one;
 * - `a.b`, `a[i]` (negative i), `a[i:j:k]` use Python lookup; `s.strip()` etc. call Python methods;
 * - `==`, `<`, `in`, `+`, `*`, `%`, `~`, `and`, `or`, `not`, `if` use Python semantics and truthiness;
 * - `for` iterates as Python: a dict yields its keys, a str its code points;
 * - printed values use Python's `str()`; `True`, `False`, `None` are literals.
 *
 * The helpers are filters named `__py_*` (environment.ts), so the compiled code calls them as
 * `env.getFilter("__py_…")`. Throws a SyntaxError (with `lineno`) for a method no helper knows.
 */
export const HELPERS = {
  strict: "__py_strict",
  getitem: "__py_getitem",
  slice: "__py_slice",
  call: "__py_call",
  out: "__py_out",
  json: "__py_json",
  bool: "__py_bool",
  compare: "__py_compare",
  add: "__py_add",
  mul: "__py_mul",
  mod: "__py_mod",
  concat: "__py_concat",
  sub: "__py_sub",
  div: "__py_div",
  floordiv: "__py_floordiv",
  pow: "__py_pow",
  neg: "__py_neg",
  pos: "__py_pos",
  in: "__py_in",
  iter: "__py_iter",
  float: "__py_float",
} as const;

// Methods of the objects nunjucks itself provides (cycler): allowed besides the Python ones.
const NUNJUCKS_METHODS = new Set(["next", "reset"]);
const PY_CONSTANTS: Record<string, boolean | null> = { True: true, False: false, None: null };

const at = (n: JNode) => [n.lineno, n.colno] as const;
const lit = (n: JNode, value: unknown): JNode => new nodes.Literal(...at(n), value);
const helper = (n: JNode, name: string, args: JNode[]): JNode =>
  new nodes.Filter(...at(n), new nodes.Symbol(...at(n), name), new nodes.NodeList(...at(n), args));
const children = (n: JNode): JNode[] => n.children as JNode[];

function fail(n: JNode, message: string): never {
  throw Object.assign(new SyntaxError(message), { lineno: n.lineno + 1, colno: n.colno + 1 });
}

/** A readable name for an expression, used in error messages and as the TaskInputError key. */
export function describe(n: JNode): string {
  switch (n.typename) {
    case "Symbol":
      return String(n.value);
    case "Literal":
      return JSON.stringify(n.value);
    case "LookupVal": {
      const target = describe(n.target as JNode);
      const val = n.val as JNode;
      if (val.typename === "Literal" && typeof val.value === "string" && /^[A-Za-z_]\w*$/.test(val.value)) return `${target}.${val.value}`;
      if (val.typename === "Literal") return `${target}[${JSON.stringify(val.value)}]`;
      if (val.typename === "Neg" && (val.target as JNode).typename === "Literal") return `${target}[-${String((val.target as JNode).value)}]`;
      return `${target}[…]`;
    }
    case "FunCall":
      return `${describe(n.name as JNode)}(…)`;
    default:
      return "expression";
  }
}

/** Rewrites a whole template (statements and output). */
export function transformTemplate(root: JNode): JNode {
  return stmt(root);
}

/**
 * Rewrites a template that must be exactly one `{{ expression }}` (optionally surrounded by
 * whitespace) so that it prints the expression's value as JSON: how `doc_to_choice` gets a list.
 */
export function transformValueTemplate(root: JNode): JNode {
  const parts = children(root).flatMap((c) => (c.typename === "Output" ? children(c) : [c])).filter((c) => !isBlankData(c));
  const e = parts[0];
  if (parts.length !== 1 || !e || e.typename === "TemplateData" || children(root).some((c) => c.typename !== "Output")) {
    fail(root, "expected a single {{ expression }} that yields a list");
  }
  root.children = [new nodes.Output(...at(e), [helper(e, HELPERS.json, [expr(e)])])];
  return root;
}

const isBlankData = (n: JNode): boolean => n.typename === "TemplateData" && String(n.value).trim() === "";

function stmt(n: JNode): JNode {
  switch (n.typename) {
    case "Root":
    case "NodeList":
      n.children = children(n).map(stmt);
      return n;
    case "Output":
      n.children = children(n).map((c) => (c.typename === "TemplateData" ? c : helper(c, HELPERS.out, [expr(c), lit(c, describe(c))])));
      return n;
    case "If":
      n.cond = truth(expr(n.cond as JNode));
      n.body = stmt(n.body as JNode);
      if (n.else_) n.else_ = stmt(n.else_ as JNode);
      return n;
    case "For":
      n.arr = helper(n, HELPERS.iter, [expr(n.arr as JNode)]);
      n.body = stmt(n.body as JNode);
      if (n.else_) n.else_ = stmt(n.else_ as JNode);
      return n;
    case "Set":
      if (n.value) n.value = expr(n.value as JNode);
      if (n.body) n.body = stmt(n.body as JNode);
      return n;
    case "Capture":
    case "Macro":
    case "Caller":
      n.body = stmt(n.body as JNode);
      return n;
    case "Extends":
    case "Include":
    case "Import":
    case "FromImport":
    case "Block":
      return fail(n, `{% ${n.typename.toLowerCase()} %} is not supported in task templates`);
    default:
      return n;
  }
}

const truth = (e: JNode): JNode => helper(e, HELPERS.bool, [e]);

function expr(n: JNode, strict = true): JNode {
  switch (n.typename) {
    case "Symbol": {
      const name = String(n.value);
      if (Object.hasOwn(PY_CONSTANTS, name)) return lit(n, PY_CONSTANTS[name]);
      return strict ? helper(n, HELPERS.strict, [n, lit(n, name)]) : n;
    }
    case "LookupVal": {
      const target = expr(n.target as JNode);
      const val = n.val as JNode;
      const value =
        val.typename === "Slice"
          ? helper(n, HELPERS.slice, [target, ...(["start", "stop", "step"] as const).map((f) => (val[f] ? expr(val[f] as JNode) : lit(n, null)))])
          : helper(n, HELPERS.getitem, [target, expr(val)]);
      return strict ? helper(n, HELPERS.strict, [value, lit(n, describe(n))]) : value;
    }
    case "FunCall":
      return funCall(n);
    case "Filter": {
      const name = String((n.name as JNode).value);
      const [first, ...rest] = children(n.args as JNode);
      const exempt = name === "default" || name === "d";
      (n.args as JNode).children = [...(first ? [expr(first, !exempt)] : []), ...rest.map(argument)];
      return n;
    }
    case "Is": {
      n.left = expr(n.left as JNode, false);
      const right = n.right as JNode;
      if (right.typename === "FunCall") (right.args as JNode).children = children(right.args as JNode).map(argument);
      return n;
    }
    case "Not":
      return new nodes.Not(...at(n), truth(expr(n.target as JNode)));
    case "And": {
      const a = expr(n.left as JNode);
      return new nodes.InlineIf(...at(n), truth(a), expr(n.right as JNode), a);
    }
    case "Or": {
      const a = expr(n.left as JNode);
      return new nodes.InlineIf(...at(n), truth(a), a, expr(n.right as JNode));
    }
    case "InlineIf":
      n.cond = truth(expr(n.cond as JNode));
      n.body = expr(n.body as JNode);
      if (n.else_) n.else_ = expr(n.else_ as JNode);
      return n;
    case "Compare": {
      const ops = (n.ops as JNode[]).flatMap((op) => [lit(op, op.type), expr(op.expr as JNode)]);
      return helper(n, HELPERS.compare, [expr(n.expr as JNode), ...ops]);
    }
    case "In":
      return helper(n, HELPERS.in, [expr(n.left as JNode), expr(n.right as JNode)]);
    case "Add":
    case "Mul":
    case "Mod":
    case "Concat": {
      const name = { Add: HELPERS.add, Mul: HELPERS.mul, Mod: HELPERS.mod, Concat: HELPERS.concat }[n.typename];
      return helper(n, name, [expr(n.left as JNode), expr(n.right as JNode)]);
    }
    case "Sub":
    case "Div":
    case "FloorDiv":
    case "Pow": {
      const name = { Sub: HELPERS.sub, Div: HELPERS.div, FloorDiv: HELPERS.floordiv, Pow: HELPERS.pow }[n.typename];
      return helper(n, name, [expr(n.left as JNode), expr(n.right as JNode)]);
    }
    case "Neg":
    case "Pos":
      return helper(n, n.typename === "Neg" ? HELPERS.neg : HELPERS.pos, [expr(n.target as JNode)]);
    case "Group":
      // A parenthesised tuple `('a', 'b')` is a list to every helper (startswith accepts it).
      if (children(n).length !== 1) return new nodes.Array(...at(n), children(n).map((c) => expr(c)));
      n.children = [expr(children(n)[0]!)];
      return n;
    case "Array":
      n.children = children(n).map((c) => expr(c));
      return n;
    case "Dict":
      for (const pair of children(n)) pair.value = expr(pair.value as JNode);
      return n;
    case "Capture":
      return stmt(n);
    default:
      return n;
  }
}

/** A call argument: positional expressions, or `key=value` pairs. */
function argument(a: JNode): JNode {
  if (a.typename === "KeywordArgs") {
    for (const pair of children(a)) pair.value = expr(pair.value as JNode);
    return a;
  }
  return expr(a);
}

function funCall(n: JNode): JNode {
  const callee = n.name as JNode;
  const args = children(n.args as JNode);
  const val = callee.typename === "LookupVal" ? (callee.val as JNode) : undefined;
  if (val?.typename === "Literal" && typeof val.value === "string") {
    const method = val.value;
    if (!KNOWN_METHODS.has(method) && !NUNJUCKS_METHODS.has(method)) fail(n, `unsupported method .${method}() in template`);
    if (args.some((a) => a.typename === "KeywordArgs")) fail(n, `keyword arguments are not supported in .${method}()`);
    const target = callee.target as JNode;
    return helper(n, HELPERS.call, [expr(target), lit(n, method), lit(n, describe(target)), ...args.map((a) => expr(a))]);
  }
  // A global (range, cycler, joiner) or macro: its arguments are rewritten, not its name.
  if (callee.typename !== "Symbol") n.name = expr(callee);
  (n.args as JNode).children = args.map(argument);
  return n;
}
