/**
 * PyYAML accepts a multi-line quoted scalar whose continuation lines are indented less than its key
 * (lm-eval's acpbench few-shot answers, xnli_eu's prompts); the `yaml` package, closer to the spec,
 * stops at "Missing closing quote". Leading whitespace of a quoted scalar's continuation line is folded
 * away, so indenting those lines changes no value: this returns the text with each continuation line of
 * a quoted scalar indented one space past the column of its opening quote (deeper than its key, whether
or not a `- ` precedes it), and lines unchanged
 * (line numbers in messages stay right). The loader uses it only to retry a file that failed to parse.
 */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split("\n");
  let quote: '"' | "'" | undefined;
  let startIndent = 0; // the opening quote's column
  let blockIndent: number | undefined;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    const indent = line.length - line.trimStart().length;
    if (quote) {
      if (line.trim() === "") continue; // an empty line is a newline in the value: keep it empty
      line = " ".repeat(startIndent + 1) + line.trimStart();
      lines[n] = line;
    } else if (blockIndent !== undefined) {
      if (line.trim() === "" || indent > blockIndent) continue;
      blockIndent = undefined;
    }
    let i = quote ? startIndent + 1 : 0;
    // Inside a quoted scalar: find its end; outside: find a quoted scalar's start, a block scalar, a comment.
    while (i < line.length) {
      const ch = line[i]!;
      if (quote === '"') {
        if (ch === "\\") i += 2;
        else if (ch === '"') {
          quote = undefined;
          i++;
        } else i++;
        continue;
      }
      if (quote === "'") {
        if (ch === "'" && line[i + 1] === "'") i += 2;
        else if (ch === "'") {
          quote = undefined;
          i++;
        } else i++;
        continue;
      }
      if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]!))) break;
      if ((ch === '"' || ch === "'") && atScalarStart(line, i)) {
        quote = ch;
        startIndent = i;
        i++;
        continue;
      }
      if ((ch === "|" || ch === ">") && atScalarStart(line, i) && /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i))) {
        blockIndent = indent;
        break;
      }
      i++;
    }
  }
  return lines.join("\n");
}

/** Whether position i starts a scalar: only indentation before it, or a `: `, `- `, `[`, `{`, `,` or `? ` indicator. */
function atScalarStart(line: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (line[j] === " " || line[j] === "\t")) j--;
  if (j < 0) return true;
  const prev = line[j]!;
  if (prev === "[" || prev === "{" || prev === ",") return true;
  // `:` and `-` and `?` are indicators only when followed by a space.
  return (prev === ":" || prev === "-" || prev === "?") && j < i - 1;
}
