/**
 * Python's `ast.literal_eval` for the values a rendered template holds: str (single, double or triple
 * quoted, with escapes; adjacent literals concatenate), int, float, True, False, None, and lists,
 * tuples, sets and dicts of them. lm-eval `literal_eval`s a target that renders as `[...]` (a list of
 * gold answers, e.g. triviaqa's `{{answer.aliases}}`). Throws a SyntaxError on anything else.
 */
export type PyLiteral = string | number | boolean | null | PyLiteral[] | { readonly [k: string]: PyLiteral };

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "\n": "", "0": "\0" };

export function pyLiteralEval(text: string): PyLiteral {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`not a Python literal (${what} at offset ${i})`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    let out = "";
    // Adjacent string literals join, as in Python.
    while (i < text.length && /['"]|[rRbBuU]['"]/.test(text.slice(i, i + 2))) {
      let raw = false;
      if (/[rRbBuU]/.test(text[i]!)) {
        raw = /[rR]/.test(text[i]!);
        i++;
      }
      const q = text[i]!;
      const triple = text.startsWith(q.repeat(3), i);
      const end = triple ? q.repeat(3) : q;
      i += end.length;
      for (;;) {
        if (i >= text.length) fail("unterminated string");
        if (text.startsWith(end, i)) {
          i += end.length;
          break;
        }
        const c = text[i]!;
        if (c === "\n" && !triple) fail("newline in string");
        if (c === "\\" && !raw) {
          const n = text[i + 1] ?? "";
          if (n === "x") {
            out += String.fromCodePoint(parseInt(text.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (n === "u") {
            out += String.fromCodePoint(parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
          } else if (n === "U") {
            out += String.fromCodePoint(parseInt(text.slice(i + 2, i + 10), 16));
            i += 10;
          } else if (n in ESCAPES) {
            out += ESCAPES[n];
            i += 2;
          } else {
            out += c;
            i++;
          }
          continue;
        }
        if (c === "\\" && raw) {
          out += c + (text[i + 1] ?? "");
          i += 2;
          continue;
        }
        out += c;
        i++;
      }
      ws();
    }
    return out;
  };
  const seq = (close: string): PyLiteral[] => {
    const items: PyLiteral[] = [];
    ws();
    while (text[i] !== close) {
      items.push(value());
      ws();
      if (text[i] === ",") {
        i++;
        ws();
      } else if (text[i] !== close) fail(`expected , or ${close}`);
    }
    i++;
    return items;
  };
  const value = (): PyLiteral => {
    ws();
    const c = text[i];
    if (c === undefined) return fail("end of text");
    if (c === "[") {
      i++;
      return seq("]");
    }
    if (c === "(") {
      i++;
      return seq(")");
    }
    if (c === "{") {
      i++;
      ws();
      const dict: Record<string, PyLiteral> = {};
      const items: PyLiteral[] = [];
      let isSet = false;
      while (text[i] !== "}") {
        const k = value();
        ws();
        if (text[i] === ":") {
          i++;
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a literal's key is a str, number or bool
          dict[String(k)] = value();
        } else {
          isSet = true;
          items.push(k);
        }
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "}") fail("expected , or }");
        ws();
      }
      i++;
      return isSet ? items : dict;
    }
    if (/['"]/.test(c) || /^[rRbBuU]['"]/.test(text.slice(i, i + 2))) return str();
    const word = /^(?:True|False|None)\b/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      return word[0] === "None" ? null : word[0] === "True";
    }
    const num = /^[-+]?(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0].replace(/_/g, ""));
    }
    return fail("unexpected character");
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing text");
  return v;
}
