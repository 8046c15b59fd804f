import { LineCounter, parseDocument } from "yaml";
import { readYamlFile, yamlValue } from "../io/yaml-file.js";
import { ConfigError } from "../errors/config-error.js";
import { formatPath, lineOf } from "../tasks/yaml-location.js";
import { compileRoutes, RouteSpecError, type RouteSpec } from "./rules.js";
import type { RouteRule } from "./types.js";

/**
 * Routing rules from YAML (`--route FILE`):
 *
 * ```yaml
 * routes:
 *   - name: long-prompts
 *     when: { prompt_tokens: { gt: 3000 } }
 *     model: gpt-4.1
 *   - name: default
 *     model: gpt-4o-mini
 * ```
 *
 * Every problem is a ConfigError naming the file, the line and the key
 * (`routes.yaml:4, key \`routes[0].when.prompt_tokens.gt\`: expected number, received string`).
 */
export function parseRoutes(text: string, file: string): RouteRule[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) throw new ConfigError(`YAML syntax error: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`, { file, line: err.linePos?.[0].line });
  const value: unknown = yamlValue(doc, file);
  const at = (path: readonly PropertyKey[]) => ({ file, line: lineOf(doc, lc, path), key: formatPath(path) });
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("routes" in value)) {
    throw new ConfigError("expected a `routes:` list at the top level", { file, line: 1 });
  }
  const extra = Object.keys(value).find((k) => k !== "routes");
  if (extra) throw new ConfigError("unknown key (a routing file has only `routes`)", at([extra]));
  const routes: unknown = value.routes;
  if (!Array.isArray(routes)) throw new ConfigError("expected a list of rules", at(["routes"]));
  (routes as unknown[]).forEach((r, i) => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw new ConfigError("expected a rule: name, when, model", at(["routes", i]));
    const unknown = Object.keys(r).find((k) => !["name", "when", "model"].includes(k));
    if (unknown) throw new ConfigError("unknown key (a rule has name, when and model)", at(["routes", i, unknown]));
    if (!("model" in r)) throw new ConfigError("required key is missing", at(["routes", i, "model"]));
  });
  try {
    return compileRoutes(routes as RouteSpec[]);
  } catch (e) {
    if (e instanceof RouteSpecError) throw new ConfigError(e.message, at(["routes", ...e.path]));
    throw e;
  }
}

/** Reads and compiles a routing file. */
export async function loadRoutes(file: string, display = file): Promise<RouteRule[]> {
  let text: string;
  try {
    text = await readYamlFile(file, display);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read the routing file: ${(e as Error).message}`, { file: display });
  }
  return parseRoutes(text, display);
}
