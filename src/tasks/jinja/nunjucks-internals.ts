import { createRequire } from "node:module";
import nunjucks from "nunjucks";
import { hardenCompiler, SANDBOX_PARAM, type SandboxOps } from "./sandbox.js";

/**
 * Typed access to the parts of nunjucks 3.2 that its type definitions leave out: the lexer, parser,
 * AST node classes, compiler and transformer. Templates are parsed here, rewritten (transform.ts) and
 * compiled from the rewritten tree; nothing in nunjucks is patched, so other users of the package
 * are unaffected.
 */

export interface JNode {
  readonly typename: string;
  readonly fields: readonly string[];
  lineno: number;
  colno: number;
  [field: string]: unknown;
}

type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => JNode;

export interface Token {
  readonly type: string;
  readonly value: string;
  readonly lineno: number;
  readonly colno: number;
}

export interface Parser {
  peekToken(): Token | null;
  nextToken(): Token | null;
  skip(type: string): boolean;
  parseExpression(): JNode;
  parseSignature(): JNode;
  parseAsRoot(): JNode;
  parsePostfix(node: JNode): JNode;
  parseInlineIf(): JNode;
  parseIs(): JNode;
  parseCompare(): JNode;
  parsePrimary(noPostfix?: boolean): JNode;
  parseOr(): JNode;
  skipSymbol(name: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
}

type NodeName =
  | "NodeList" | "Literal" | "Symbol" | "Filter" | "FunCall" | "LookupVal" | "InlineIf" | "Array" | "Not" | "Output" | "Is";

type TokenName =
  | "TOKEN_LEFT_PAREN" | "TOKEN_LEFT_BRACKET" | "TOKEN_RIGHT_BRACKET" | "TOKEN_LEFT_CURLY" | "TOKEN_OPERATOR" | "TOKEN_SYMBOL"
  | "TOKEN_INT" | "TOKEN_FLOAT" | "TOKEN_STRING" | "TOKEN_COLON" | "TOKEN_NONE" | "TOKEN_BOOLEAN";

interface Internals {
  nodes: Record<NodeName, NodeClass> & { Node: { extend(name: string, props: { fields: string[] }): NodeClass } };
  parser: { Parser: new (tokens: unknown) => Parser };
  lexer: { lex(src: string, opts?: object): unknown } & Record<TokenName, string>;
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(ast: JNode): void; getCode(): string } };
}

const nj = nunjucks as unknown as Internals;
// The transformer (async-filter lifting, statement conversion) is not re-exported by nunjucks' index.
const transformer = createRequire(import.meta.url)("nunjucks/src/transformer.js") as { transform(ast: JNode, asyncFilters: string[]): JNode };

export const nodes = nj.nodes;
export const lexer = nj.lexer;

/** `obj[start:stop:step]` inside a subscript; only transform.ts sees it (it becomes a helper call). */
export const SliceNode = nj.nodes.Node.extend("Slice", { fields: ["start", "stop", "step"] });

export const newParser = (source: string): Parser => new nj.parser.Parser(nj.lexer.lex(source, {}));

/**
 * Compiles a (rewritten) tree to a nunjucks Template bound to `env`, as nunjucks' precompiler does,
 * with the sandbox's names, lookups, dicts and calls (sandbox.ts) in place of nunjucks' own.
 */
export function compileTree(ast: JNode, env: nunjucks.Environment, name: string, ops: SandboxOps): nunjucks.Template {
  const c = new nj.compiler.Compiler(name, true);
  hardenCompiler(c);
  c.compile(transformer.transform(ast, []));
  // nunjucks evaluates its generated code the same way when it compiles from source; `ops` is a
  // parameter of that code, so no template expression can name it.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the compiled template is code by design
  const props = (new Function(SANDBOX_PARAM, c.getCode()) as (ops: SandboxOps) => unknown)(ops);
  return new nunjucks.Template({ type: "code", obj: props } as unknown as string, env, name, true);
}
