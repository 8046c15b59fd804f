import { PRICE_MATCH_INDEX } from "./price-match-index.js";

/**
 * A model-name test of the price table (@pydantic/genai-prices), as the table's own matcher runs it: a leaf is
 * `=` equals, `^` starts with, `$` ends with, `~` contains (each on the lower-cased name, the text lower-cased at
 * build time), `/` a regular expression (on the name as given to it); `["|", …]` any of, `["&", …]` all of.
 */
export type MatchTree = string | readonly ["|" | "&", ...MatchTree[]];

/** The table's match clause (`{ or: [...] }`, `{ equals: "…" }` …) as a MatchTree. */
export function matchTreeOf(match: Record<string, unknown>): MatchTree {
  const [kind, value] = Object.entries(match)[0] ?? [];
  if (kind === "or" || kind === "and") return [kind === "or" ? "|" : "&", ...(value as Record<string, unknown>[]).map(matchTreeOf)];
  const tag = { equals: "=", starts_with: "^", ends_with: "$", contains: "~", regex: "/" }[kind as string];
  if (tag === undefined || typeof value !== "string") throw new Error(`Unknown match clause in the price table: ${JSON.stringify(match)}`);
  return tag === "/" ? `/${value}` : `${tag}${value.toLowerCase()}`;
}

/** Every model's match clause in the table's providers, deduplicated: what `mayHavePrice` reads. */
export function matchIndexOf(providers: readonly { readonly models: readonly { readonly match: object }[] }[]): MatchTree[] {
  const seen = new Map<string, MatchTree>();
  for (const provider of providers) {
    for (const model of provider.models) {
      const tree = matchTreeOf(model.match as Record<string, unknown>);
      seen.set(JSON.stringify(tree), tree);
    }
  }
  return [...seen.values()];
}

let index: { trees: readonly MatchTree[]; regexes: Map<string, RegExp> } | undefined;

/**
 * False when the bundled price table certainly has no price for `model`, decided from the model names and
 * patterns the table holds (src/cost/price-match-index.ts, made from the installed table by
 * `npm run prices:index`) without loading the table (830 kB of JavaScript, 25–40 ms at start-up). True when
 * some model of the table matches one of the names `lookupPrice` asks the table for: the name, lower-cased and
 * trimmed; for `vendor/model`, the part after the slash (and after a second one for `litellm/`); each also with
 * a date `-YYYYMMDD` written `-YYYY-MM-DD`, as the table's lookup retries it. Every price the table finds is for
 * a model matched so, so `lookupPrice` returns null wherever this is false (test/cost/price-match.test.ts checks
 * that against the real table).
 */
export function mayHavePrice(model: string): boolean {
  index ??= { trees: JSON.parse(PRICE_MATCH_INDEX) as MatchTree[], regexes: new Map() };
  for (const name of namesAsked(model)) {
    const lower = name.toLowerCase();
    for (const tree of index.trees) if (matches(tree, name, lower, index.regexes)) return true;
  }
  return false;
}

/** The names `lookupPrice` (price-table.ts) has the table match, dates rewritten as the table retries them. */
function namesAsked(model: string): string[] {
  const asked = [model.toLowerCase().trim()];
  const slash = model.indexOf("/");
  if (slash > 0) {
    const rest = model.slice(slash + 1).toLowerCase().trim();
    asked.push(rest);
    // calcPrice with provider `litellm` takes a second `provider/` off the name.
    const second = rest.indexOf("/");
    if (model.slice(0, slash).toLowerCase() === "litellm" && second >= 0) asked.push(rest.slice(second + 1));
  }
  const names = new Set<string>();
  for (const name of asked) {
    names.add(name);
    names.add(withDashedDates(name));
  }
  return [...names];
}

/** As the table's lookup retries a name: `-20240718` → `-2024-07-18` where it is a real date (its own rule). */
function withDashedDates(name: string): string {
  return name.replace(/(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g, (all: string, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d) ? all : `${dash}${y}-${m}-${d}`;
  });
}

/** The table's matcher: texts against `lower` (the name lower-cased, as it compares), regexes against the name. */
function matches(tree: MatchTree, name: string, lower: string, regexes: Map<string, RegExp>): boolean {
  if (typeof tree !== "string") {
    const any = tree[0] === "|";
    for (let i = 1; i < tree.length; i++) if (matches(tree[i] as MatchTree, name, lower, regexes) === any) return any;
    return !any;
  }
  const text = tree.slice(1);
  switch (tree[0]) {
    case "=":
      return lower === text;
    case "^":
      return lower.startsWith(text);
    case "$":
      return lower.endsWith(text);
    case "~":
      return lower.includes(text);
    default: {
      let re = regexes.get(text);
      if (!re) regexes.set(text, (re = new RegExp(text)));
      return re.test(name);
    }
  }
}
