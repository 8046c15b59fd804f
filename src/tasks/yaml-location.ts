import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

/**
 * Maps a path in a parsed YAML document (`["metric_list", 0, "aggregation"]`, as zod reports it) to
 * the line it sits on, so errors can say `gsm8k.yaml:12, key \`metric_list[0].aggregation\``.
 */

export type ConfigPath = readonly PropertyKey[];

/** Reports a problem at a path of the task file; the loader turns it into a ConfigError at file:line. */
export interface ConfigSite {
  fail(path: ConfigPath, message: string): never;
  /** File and line of a path, for errors raised by the template compiler. */
  where(path: ConfigPath): { file?: string; line?: number; key: string };
}

/** `metric_list[0].aggregation`, the way the key is written in messages. */
export function formatPath(path: ConfigPath): string {
  return path
    .map((seg, i) => (typeof seg === "number" ? `[${seg}]` : i === 0 ? String(seg) : `.${String(seg)}`))
    .join("");
}

/**
 * The 1-based line of the deepest node of `path` present in the document: a mapping key's own line
 * (not its value's, which may start on the next line), a sequence item's line. For a key that is
 * missing, the line of the map it is missing from. Undefined when nothing of the path is there.
 */
export function lineOf(doc: Document, lc: LineCounter, path: ConfigPath): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}
