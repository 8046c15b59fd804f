import { lexer, newParser, nodes, SliceNode, type JNode, type Parser } from "./nunjucks-internals.js";

/**
 * Parses a Jinja template with nunjucks' parser, extended (on this parser instance only) with what
 * Jinja has and nunjucks lacks in subscripts: slices `text[:100]`, `xs[1:-1:2]`, and numeric
 * attribute access `xs.0`. Throws nunjucks' TemplateError (with lineno/colno) on a syntax error.
 */
export function parseTemplate(source: string): JNode {
  const p = newParser(source);
  p.parsePostfix = (node) => parsePostfix(p, node);
  return p.parseAsRoot();
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
