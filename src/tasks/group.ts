import { readYamlFile } from "../io/yaml-file.js";
import path from "node:path";
import { ConfigError } from "../errors/index.js";
import { loadTask, loadTaskText, parseSource, type Source, type TaskLoadOptions, type TaskOverrides } from "./load.js";
import { taskIndex, type IndexEntry, type TaskIndex } from "./task-index.js";
import type { Task } from "../work/task.js";
import { formatPath, lineOf, type ConfigPath } from "./yaml-location.js";
import { pyBool } from "../python/operators.js";
import { isPythonHook } from "../python/hooks/hook-ref.js";

/**
 * Group files (`group:` with a `task:` list), as lm-eval 0.4.13 builds them (lm_eval/tasks/_factory.py,
 * lm_eval/config/group.py): members are task, group or tag names, or dicts (`task: NAME` plus keys
 * overriding that task's; `group: NAME` for a nested group, inline when no file defines it). A group's
 * keys other than group, group_alias, task, aggregate_metric_list and metadata override every task
 * under it. Names resolve through an index of the YAML files under the group file's tree (see
 * `indexRoot`). A task named in two places is an error, as in lm-eval.
 */

/** One `aggregate_metric_list` entry. */
export interface GroupMetric {
  readonly metric: string;
  /** Filter names to aggregate; undefined: every filter the leaf tasks report for the metric. */
  readonly filters?: readonly string[];
  readonly weightBySize: boolean;
}

/** A group, with the leaf tasks its aggregate is computed from (nested groups' tasks included). */
export interface TaskGroup {
  readonly name: string;
  readonly alias?: string;
  /** Leaf task names, in order. */
  readonly tasks: readonly string[];
  /** Empty: the group lists its tasks but reports no aggregate (as lm-eval). */
  readonly aggregate: readonly GroupMetric[];
}

/** What a `-t` reference loads: its tasks, and the groups over them (outermost first). */
export interface LoadedTasks {
  readonly tasks: readonly Task[];
  readonly groups: readonly TaskGroup[];
}

const GROUP_KEYS = new Set(["group", "group_alias", "task", "aggregate_metric_list", "metadata"]);
const AGG_KEYS = new Set(["metric", "filter_list", "aggregation", "weight_by_size"]);

/**
 * Loads `-t REF`: a task file or bundled name (one task, no group), or a group file (every task under
 * it, and each group). A file with a list under `task` and no `group` is an error saying so.
 */
export async function loadTaskRef(ref: string, opts: TaskLoadOptions = {}): Promise<LoadedTasks> {
  const cwd = opts.cwd ?? process.cwd();
  const isPath = /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref);
  if (!isPath) return { tasks: [await loadTask(ref, opts)], groups: [] };
  const file = path.resolve(cwd, ref);
  let text: string;
  try {
    text = await readYamlFile(file, ref);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new ConfigError("task file not found", { file: ref });
    throw new ConfigError(`cannot read task file: ${(e as Error).message}`, { file: ref });
  }
  const source = parseSource(text, ref, file);
  if (!isGroupConfig(source)) return { tasks: [await loadTaskText(text, file, ref, opts)], groups: [] };
  const builder = new GroupBuilder(file, opts);
  await builder.group(String(source.value.group), source.value, {}, { source, file }, []);
  const loaded = builder.result();
  if (loaded.tasks.length === 0) throw new ConfigError("the group lists no task", { file: ref, line: lineOf(source.doc, source.lc, ["task"]), key: "task" });
  return loaded;
}

/**
 * Loads every `-t` reference: their tasks, in order, and their groups. Two references yielding a task
 * of one name is an error naming it (a line's `task` field must pick one task).
 */
export async function loadTaskRefs(refs: readonly string[], opts: TaskLoadOptions = {}): Promise<LoadedTasks> {
  const loaded = await Promise.all(refs.map((ref) => loadTaskRef(ref, opts)));
  const tasks = loaded.flatMap((l) => l.tasks);
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.name)) throw new ConfigError(`task \`${t.name}\` is loaded twice (by two --task references); a line's \`task\` field could not pick one`, { key: "--task" });
    seen.add(t.name);
  }
  return { tasks, groups: loaded.flatMap((l) => l.groups) };
}

/** Whether a file's mapping is a group: a `group` name with a `task` list (or none); lm-eval's `_kind_of`. */
function isGroupConfig(source: Source): boolean {
  const value = source.value;
  if (Object.hasOwn(value, "class") || !Object.hasOwn(value, "group")) {
    if (Array.isArray(value.task)) {
      throw new ConfigError("a list of tasks needs a `group:` name (a group file)", { file: source.display, line: lineOf(source.doc, source.lc, ["task"]), key: "task" });
    }
    return false;
  }
  return typeof value.task !== "string";
}

interface Origin {
  readonly source: Source;
  readonly file: string;
}

class GroupBuilder {
  readonly #tasks: Task[] = [];
  readonly #groups: TaskGroup[] = [];
  readonly #owner = new Map<string, string>();
  readonly #texts = new Map<string, string>();
  #local?: Promise<TaskIndex>;
  #wide?: Promise<TaskIndex>;

  constructor(
    readonly file: string,
    readonly opts: TaskLoadOptions,
  ) {}

  result(): LoadedTasks {
    return { tasks: this.#tasks, groups: this.#groups };
  }

  /** Builds a group: its members, then itself (after them, so its leaves are known). */
  async group(name: string, cfg: Record<string, unknown>, overrides: Record<string, unknown>, origin: Origin, at: ConfigPath): Promise<string[]> {
    const fail = (p: ConfigPath, message: string): never => {
      const full = [...at, ...p];
      throw new ConfigError(message, { file: origin.source.display, line: lineOf(origin.source.doc, origin.source.lc, full), key: formatPath(full) });
    };
    if (typeof cfg.group_alias !== "undefined" && typeof cfg.group_alias !== "string") fail(["group_alias"], "expected a string");
    const aggregate = parseAggregates(cfg.aggregate_metric_list, fail);
    const own = Object.fromEntries(Object.entries(cfg).filter(([k]) => !GROUP_KEYS.has(k)));
    const merged = { ...own, ...overrides };
    const members = typeof cfg.task === "string" ? [cfg.task] : Array.isArray(cfg.task) ? cfg.task : cfg.task === undefined || cfg.task === null ? [] : fail(["task"], "expected a task name or a list of task names and dicts");
    const slot = this.#groups.length;
    this.#groups.push({ name, tasks: [], aggregate });
    const leaves: string[] = [];
    for (const [i, item] of (members as unknown[]).entries()) {
      leaves.push(...(await this.member(name, item, merged, origin, [...at, "task", i], fail)));
    }
    this.#groups[slot] = { name, ...(typeof cfg.group_alias === "string" ? { alias: cfg.group_alias } : {}), tasks: leaves, aggregate };
    return leaves;
  }

  async member(group: string, item: unknown, overrides: Record<string, unknown>, origin: Origin, at: ConfigPath, fail: (p: ConfigPath, m: string) => never): Promise<string[]> {
    const name = typeof item === "string" ? item : typeof item === "object" && item !== null ? (item as Record<string, unknown>).group ?? (item as Record<string, unknown>).task : undefined;
    const index = await this.index(typeof name === "string" ? name : undefined);
    const here = at.slice(-2);
    if (typeof item === "string") return this.named(group, item, overrides, index, origin, at, fail);
    if (typeof item !== "object" || item === null || Array.isArray(item)) return fail(here, "expected a task name, or a dict with `task` or `group`");
    const dict = item as Record<string, unknown>;
    if (typeof dict.group === "string") {
      const entry = index.get(dict.group);
      const { group: _g, ...inline } = dict;
      if (entry?.kind === "group") return this.fromFile(entry, { ...overrides, ...inline });
      return this.group(`${group}::${dict.group}`, dict, overrides, origin, at);
    }
    if (typeof dict.task !== "string") return fail(here, "a dict in a group's `task` list needs a `task` (or `group`) name");
    const itemOverrides = { ...overrides, ...dict };
    if (!index.has(dict.task)) {
      // An inline task: the dict is its whole config, named under the group.
      const name = `${group}::${dict.task}`;
      return [await this.add(name, "{}\n", this.file, origin, { ...itemOverrides, task: name }, at)];
    }
    return this.named(group, dict.task, itemOverrides, index, origin, at, fail);
  }

  async named(group: string, name: string, overrides: Record<string, unknown>, index: TaskIndex, origin: Origin, at: ConfigPath, fail: (p: ConfigPath, m: string) => never): Promise<string[]> {
    const entry = index.get(name);
    if (!entry) return fail(at.slice(-2), `no task, group or tag named \`${name}\` under ${await this.indexRootShown()} (group \`${group}\`)`);
    if (entry.kind === "group") return this.fromFile(entry, overrides);
    if (entry.kind === "tag") {
      const out: string[] = [];
      for (const task of [...entry.tasks].sort()) out.push(...(await this.named(group, task, { ...overrides, task }, index, origin, at, fail)));
      return out;
    }
    return [await this.add(name, await this.text(entry.file), entry.file, origin, { task: name, ...overrides }, at)];
  }

  async fromFile(entry: IndexEntry & { kind: "group" }, overrides: Record<string, unknown>): Promise<string[]> {
    const text = await this.text(entry.file);
    const source = parseSource(text, this.display(entry.file), entry.file);
    return this.group(entry.name, source.value, overrides, { source, file: entry.file }, []);
  }

  async add(name: string, text: string, file: string, origin: Origin, values: Record<string, unknown>, at: ConfigPath): Promise<string> {
    const first = this.#owner.get(name);
    if (first !== undefined) {
      throw new ConfigError(`task \`${name}\` is in more than one group (${first} and this one); lm-eval refuses this too`, {
        file: origin.source.display, line: lineOf(origin.source.doc, origin.source.lc, at), key: formatPath(at),
      });
    }
    this.#owner.set(name, origin.source.display);
    const overrides: TaskOverrides = { values, file: origin.source.display, path: origin.file, text: origin.source.text };
    this.#tasks.push(await loadTaskText(text, file, this.display(file), this.opts, overrides));
    return name;
  }

  display(file: string): string {
    const rel = path.relative(this.opts.cwd ?? process.cwd(), file);
    return rel.startsWith("..") ? file : rel;
  }

  async text(file: string): Promise<string> {
    let t = this.#texts.get(file);
    if (t === undefined) this.#texts.set(file, (t = await readYamlFile(file, this.display(file))));
    return t;
  }

  /**
   * The index holding `name`: the group file's own folder first (a suite's files usually sit
   * together, and indexing lm-eval's whole tree takes seconds), else the whole tree (`indexRoot`).
   */
  async index(name?: string): Promise<TaskIndex> {
    const local = await (this.#local ??= taskIndex(path.dirname(this.file)));
    if (name === undefined || local.has(name) || indexRoot(this.file) === path.dirname(this.file)) return local;
    const wide = await (this.#wide ??= taskIndex(indexRoot(this.file)));
    return wide.has(name) ? wide : local;
  }

  async indexRootShown(): Promise<string> {
    return this.display(indexRoot(this.file)) || ".";
  }
}

/**
 * The folder whose YAML files a group's names resolve against: the nearest ancestor named `tasks`
 * (lm-eval's own tree: lm_eval/tasks), else the group file's own folder.
 */
export function indexRoot(file: string): string {
  let dir = path.dirname(file);
  for (;;) {
    if (path.basename(dir) === "tasks") return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(file);
    dir = up;
  }
}

function parseAggregates(value: unknown, fail: (p: ConfigPath, m: string) => never): GroupMetric[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((raw, i): GroupMetric[] => {
    const at = Array.isArray(value) ? ["aggregate_metric_list", i] : ["aggregate_metric_list"];
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail(at, "expected a mapping with `metric`");
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!AGG_KEYS.has(key)) fail([...at, key], `unsupported key \`${key}\` in aggregate_metric_list (lm-eval takes metric, filter_list, aggregation, weight_by_size)`);
    // lm-eval keys a group metric `f"{metric},{filter}"`: a function's text names no task's metric, so
    // nothing is aggregated for it (code_x_glue's `metric: !function bleu.smoothed_bleu_4`).
    if (isPythonHook(entry.metric)) return [];
    if (typeof entry.metric !== "string" || !entry.metric) return fail([...at, "metric"], "expected a metric name");
    const aggregation = entry.aggregation ?? "mean";
    // lm-eval 0.4.13 accepts a function here and never calls it: a group's aggregate is always the mean (lingoly).
    if (aggregation !== "mean" && !isPythonHook(aggregation)) fail([...at, "aggregation"], `unsupported group aggregation \`${JSON.stringify(aggregation)}\`: lm-eval 0.4.13 defines only \`mean\` (or a function, which it never calls)`);
    // lm-eval's AggMetricConfig keeps any value and tests it with `if not weight_by_size`: Python truthiness
    // (score's `truez` weighs, an empty `weight_by_size:` does not).
    const weight = Object.hasOwn(entry, "weight_by_size") ? pyBool(entry.weight_by_size) : true;
    const filters = entry.filter_list;
    if (filters !== undefined && filters !== null && typeof filters !== "string" && !(Array.isArray(filters) && filters.every((f) => typeof f === "string"))) {
      return fail([...at, "filter_list"], "expected a filter name or a list of them");
    }
    return [
      {
        metric: entry.metric,
        ...(filters === undefined || filters === null ? {} : { filters: typeof filters === "string" ? [filters] : filters }),
        weightBySize: weight,
      },
    ];
  });
}
