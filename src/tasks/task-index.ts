import { readdir } from "node:fs/promises";
import { readYamlFile, yamlValue } from "../io/yaml-file.js";
import path from "node:path";
import { parseDocument } from "yaml";
import { indentQuotedContinuations } from "./yaml-quoted-indent.js";

/**
 * An index of the task, group and tag names defined by the YAML files under a folder, as lm-eval
 * 0.4.13's TaskIndex builds it (lm_eval/tasks/_index.py): files in sorted path order, each read with
 * its includes; a file with `class` or `task` (and no `group`) defines a task and registers it under
 * each of its `tag`s; a file with `group` defines a group. The first file defining a name wins.
 * Files that do not parse are skipped here: loading them by name reports their error.
 */

export type IndexEntry =
  | { readonly kind: "task"; readonly name: string; readonly file: string }
  | { readonly kind: "group"; readonly name: string; readonly file: string }
  | { readonly kind: "tag"; readonly name: string; readonly tasks: Set<string> };

export type TaskIndex = ReadonlyMap<string, IndexEntry>;

const IGNORED_DIRS = new Set(["__pycache__", ".ipynb_checkpoints", "node_modules", ".git"]);
const cache = new Map<string, Promise<TaskIndex>>();

/** The index of `root` (cached for the process: a census loads thousands of files against one tree). */
export function taskIndex(root: string): Promise<TaskIndex> {
  const key = path.resolve(root);
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = buildIndex(key)));
  return hit;
}

async function buildIndex(root: string): Promise<TaskIndex> {
  const files = (await yamlFiles(root)).sort();
  const index = new Map<string, IndexEntry>();
  const texts = new Map<string, Record<string, unknown> | undefined>();
  for (const file of files) {
    const cfg = await resolved(file, texts, 0);
    if (!cfg) continue;
    if (typeof cfg.group === "string" && !Object.hasOwn(cfg, "class")) {
      if (!index.has(cfg.group)) index.set(cfg.group, { kind: "group", name: cfg.group, file });
    } else if (typeof cfg.task === "string") {
      if (index.has(cfg.task)) continue;
      index.set(cfg.task, { kind: "task", name: cfg.task, file });
      for (const tag of typeof cfg.tag === "string" ? [cfg.tag] : Array.isArray(cfg.tag) ? cfg.tag : []) {
        if (typeof tag !== "string") continue;
        const entry = index.get(tag) ?? { kind: "tag" as const, name: tag, tasks: new Set<string>() };
        if (entry.kind !== "tag") continue;
        entry.tasks.add(cfg.task);
        index.set(tag, entry);
      }
    }
  }
  return index;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !IGNORED_DIRS.has(e.name)) out.push(...(await yamlFiles(full)));
    else if (e.isFile() && e.name.endsWith(".yaml")) out.push(full);
  }
  return out;
}

/** A file's top-level mapping with its includes merged under it (the last include wins), or undefined. */
async function resolved(file: string, seen: Map<string, Record<string, unknown> | undefined>, depth: number): Promise<Record<string, unknown> | undefined> {
  if (seen.has(file)) return seen.get(file);
  seen.set(file, undefined);
  let value: unknown;
  try {
    const text = await readYamlFile(file);
    let doc = parseDocument(text, { version: "1.1", uniqueKeys: false });
    // PyYAML reads quoted scalars with under-indented continuation lines (evalita's prompts): as the loader does.
    if (doc.errors.length > 0) doc = parseDocument(indentQuotedContinuations(text), { version: "1.1", uniqueKeys: false });
    if (doc.errors.length > 0) return undefined;
    value = yamlValue(doc, file);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const own = value as Record<string, unknown>;
  let merged: Record<string, unknown> = {};
  const includes = typeof own.include === "string" ? [own.include] : Array.isArray(own.include) ? own.include : [];
  if (depth < 8) {
    for (const inc of includes) {
      if (typeof inc !== "string") continue;
      const cfg = await resolved(path.resolve(path.dirname(file), inc), seen, depth + 1);
      if (cfg) {
        const { task_list: _drop, ...rest } = cfg;
        merged = { ...merged, ...rest };
      }
    }
  }
  const out = { ...merged, ...own };
  delete out.include;
  seen.set(file, out);
  return out;
}
