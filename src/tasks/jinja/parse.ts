import { lexer, newParser, nodes, SliceNode, type JNode, type Parser } from "./nunjucks-internals.js";
import { HELPERS } from "./transform.js";

/**
 * Parses a Jinja template with nunjucks' parser, extended (on this parser instance only) with what
 * Jinja has and nunjucks lacks: slices `text[:100]`, `xs[1:-1:2]`, numeric attribute access `xs.0`,
 * chained conditionals `'A' if x else 'B' if y else 'C'`, and test arguments without parentheses
 * (`n is divisibleby 3`). Throws nunjucks' TemplateError (with
 * lineno/colno) on a syntax error.
 */
export function parseTemplate(source: string): JNode {
  const p = newParser(source);
  p.parsePostfix = (node) => parsePostfix(p, node);
  p.parseInlineIf = () => parseInlineIf(p);
  p.parseIs = () => parseIs(p);
  const primary = p.parsePrimary.bind(p);
  p.parsePrimary = (noPostfix) => {
    const num = parseNumber(p);
    if (!num) return primary(noPostfix);
    return noPostfix ? num : p.parsePostfix(num);
  };
  return p.parseAsRoot();
}

const adjacent = (a: { lineno: number; colno: number; value: string }, b: { lineno: number; colno: number } | null): boolean =>
  b !== null && a.lineno === b.lineno && a.colno + a.value.length === b.colno;

/**
 * A number literal as Jinja's lexer reads it: nunjucks reads `1.0` as the number 1 (Python: the float
 * 1.0, printed `1.0`) and splits `1e-5` into `1e`, `-`, `5`. A float literal becomes a call of the
 * `__py_float` helper, which marks a whole value as a float; an int stays a plain literal. Undefined
 * when the next token starts no number.
 */
function parseNumber(p: Parser): JNode | undefined {
  const tok = p.peekToken();
  if (!tok) return undefined;
  const isSymbolNumber = tok.type === lexer.TOKEN_SYMBOL && /^\d+e\d*$/i.test(tok.value);
  if (tok.type !== lexer.TOKEN_INT && tok.type !== lexer.TOKEN_FLOAT && !isSymbolNumber) return undefined;
  p.nextToken();
  let text = tok.value;
  let last = tok;
  let float = tok.type !== lexer.TOKEN_INT;
  // `1.5e3`, `1.5e-3`: the float, then an adjacent `e…` symbol.
  const next = p.peekToken();
  if (tok.type === lexer.TOKEN_FLOAT && next && next.type === lexer.TOKEN_SYMBOL && /^e\d*$/i.test(next.value) && adjacent(tok, next)) {
    p.nextToken();
    text += next.value;
    last = next;
  }
  // `1e-5`, `1.5e+3`: a dangling exponent marker, then an adjacent sign and digits.
  if (/e$/i.test(text)) {
    const sign = p.nextToken();
    const digits = p.nextToken();
    if (!sign || sign.type !== lexer.TOKEN_OPERATOR || (sign.value !== "-" && sign.value !== "+") || !adjacent(last, sign) || !digits || digits.type !== lexer.TOKEN_INT || !adjacent(sign, digits)) {
      p.fail(`invalid number literal \`${text}\``, tok.lineno, tok.colno);
    }
    text += sign.value + digits.value;
  }
  if (/e/i.test(text)) float = true;
  const value = Number(text);
  const literal = new nodes.Literal(tok.lineno, tok.colno, value);
  if (!float) return literal;
  return new nodes.Filter(tok.lineno, tok.colno, new nodes.Symbol(tok.lineno, tok.colno, HELPERS.float), new nodes.NodeList(tok.lineno, tok.colno, [literal]));
}

function parsePostfix(p: Parser, start: JNode): JNode {
  let node = start;
  for (let tok = p.peekToken(); tok; tok = p.peekToken()) {
    if (tok.type === lexer.TOKEN_LEFT_PAREN) {
      node = new nodes.FunCall(tok.lineno, tok.colno, node, p.parseSignature());
    } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
      node = new nodes.LookupVal(tok.lineno, tok.colno, node, parseSubscript(p));
    } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === ".") {
      p.nextToken();
      const val = p.nextToken();
      if (!val || (val.type !== lexer.TOKEN_SYMBOL && val.type !== lexer.TOKEN_INT)) {
        p.fail(`expected name as lookup value, got ${val?.value}`, val?.lineno, val?.colno);
      }
      const key = val.type === lexer.TOKEN_INT ? parseInt(val.value, 10) : val.value;
      node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, key));
    } else {
      break;
    }
  }
  return node;
}

/** `body if cond else other`, where `other` may itself be conditional (Jinja's parse_condexpr). */
function parseInlineIf(p: Parser): JNode {
  let node = p.parseOr();
  while (p.skipSymbol("if")) {
    const cond = p.parseOr();
    const otherwise = p.skipSymbol("else") ? parseInlineIf(p) : null;
    node = new nodes.InlineIf(node.lineno, node.colno, cond, node, otherwise);
  }
  return node;
}

const TEST_NAME = (tok: { type: string; value: string }): string | undefined =>
  tok.type === lexer.TOKEN_SYMBOL ? tok.value : tok.type === lexer.TOKEN_NONE ? "none" : tok.type === lexer.TOKEN_BOOLEAN ? tok.value : undefined;

/** `x is [not] name`, `x is name(args)`, or Jinja's `x is name arg` with one argument and no parentheses. */
function parseIs(p: Parser): JNode {
  const left = p.parseCompare();
  if (!p.skipSymbol("is")) return left;
  const negated = p.skipSymbol("not");
  const tok = p.nextToken();
  const name = tok && TEST_NAME(tok);
  if (!tok || name === undefined) return p.fail("expected a test name after `is`", tok?.lineno, tok?.colno);
  let test: JNode = new nodes.Symbol(tok.lineno, tok.colno, name);
  const next = p.peekToken();
  if (next?.type === lexer.TOKEN_LEFT_PAREN) {
    test = new nodes.FunCall(tok.lineno, tok.colno, test, p.parseSignature());
  } else if (next && startsArgument(next)) {
    test = new nodes.FunCall(tok.lineno, tok.colno, test, new nodes.NodeList(next.lineno, next.colno, [p.parsePostfix(p.parsePrimary())]));
  }
  const node = new nodes.Is(left.lineno, left.colno, left, test);
  return negated ? new nodes.Not(left.lineno, left.colno, node) : node;
}

function startsArgument(tok: { type: string; value: string }): boolean {
  if (tok.type === lexer.TOKEN_SYMBOL) return !["else", "or", "and", "if", "is", "in", "not"].includes(tok.value);
  return [lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY, lexer.TOKEN_NONE, lexer.TOKEN_BOOLEAN].includes(tok.type);
}

/** `[expr]` or `[start:stop:step]` with any part omitted. */
function parseSubscript(p: Parser): JNode {
  const open = p.nextToken()!;
  const parts: (JNode | null)[] = [null, null, null];
  let colons = 0;
  for (;;) {
    if (p.skip(lexer.TOKEN_RIGHT_BRACKET)) break;
    if (p.skip(lexer.TOKEN_COLON)) {
      if (++colons > 2) p.fail("too many slice components", open.lineno, open.colno);
      continue;
    }
    if (parts[colons]) p.fail("expected ':' or ']' in subscript", open.lineno, open.colno);
    parts[colons] = p.parseExpression();
  }
  if (colons === 0) {
    if (!parts[0]) p.fail("empty subscript", open.lineno, open.colno);
    return parts[0];
  }
  return new SliceNode(open.lineno, open.colno, ...parts);
}
