import { readdir, readFile } from "node:fs/promises";
import type { MediaBuildOptions } from "./task-media.js";
import { readYamlFile, yamlValue } from "../io/yaml-file.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Tags } from "yaml";
import { z } from "../zod.js";
import { ConfigError } from "../errors/index.js";
import { PythonHook } from "../python/hooks/hook-ref.js";
import type { Doc } from "../types.js";
import { buildTask, type BuildOptions } from "./build.js";
import type { ConfigSite } from "./yaml-location.js";
import { readFewshotFile } from "./fewshot-file.js";
import { withRenderDigest } from "./render-digest.js";
import { indentQuotedContinuations } from "./yaml-quoted-indent.js";
import { misspelledKey, TaskSchema } from "./schema.js";
import type { Task } from "../work/task.js";
import { formatPath, lineOf, type ConfigPath } from "./yaml-location.js";

/**
 * Reading task files. Every problem is a ConfigError naming the file, the line and the key:
 * `gsm8k.yaml:12, key \`metric_list[0].aggregation\`: unknown aggregation \`avg\``.
 *
 * YAML is read as YAML 1.1 the way PyYAML reads it for lm-evaluation-harness: `yes`/`no`/`on`/`off`
 * are booleans, but `y`/`n` stay strings (PyYAML's resolver, unlike the YAML 1.1 spec's).
 * `include: other.yaml` (or a list) merges other files first, as lm-eval 0.4.13's loader does: the
 * including file's keys win, and among includes the last listed wins (each include with its own
 * includes beneath it). Paths are relative to the including file.
 *
 * `!function module.name` becomes a PythonHook: the function `name` of MODULE.py in the folder of the
 * YAML file that holds the tag (an included file's own folder), else of the importable module MODULE,
 * as lm-eval's loader resolves it. The hook worker imports it when the run starts; a module it cannot
 * import is an error naming the module and the tag's line.
 */

// Next to this module when run from src/; from dist/tasks/, the YAML files stay in src/tasks/bundled
// (package.json ships that folder), since tsc does not copy them.
const BUNDLED_DIRS = [new URL("./bundled/", import.meta.url), new URL("../../src/tasks/bundled/", import.meta.url)].map((u) => fileURLToPath(u));
const MAX_INCLUDE_DEPTH = 8;

export interface Source {
  /** The file as named in messages. */
  readonly display: string;
  /** Its absolute path, when read from disk (relative paths inside it resolve from its folder). */
  readonly path?: string;
  readonly text: string;
  readonly doc: Document;
  readonly lc: LineCounter;
  readonly value: Record<string, unknown>;
}

/** What a run sets beside its task files: few-shot overrides (`--num-fewshot` …). */
export interface TaskLoadOptions {
  readonly cwd?: string;
  /** Overrides `num_fewshot`. */
  readonly numFewshot?: number;
  /** The few-shot pool as a JSONL file (relative to `cwd`), instead of `fewshot_config`'s. */
  readonly fewshotFile?: string;
  /** Chat requests show few-shot examples as turns. */
  readonly fewshotAsMultiturn?: boolean;
  /** Picks the lmms_eval_specific_kwargs block (`--model-family`). */
  readonly modelFamily?: string;
  /** `--video-frames`, `--max-image-side`. */
  readonly media?: MediaBuildOptions;
}

/** Keys set over a task file's own (a group's task overrides), and the file whose lines they sit on. */
export interface TaskOverrides {
  readonly values: Readonly<Record<string, unknown>>;
  /** The group file setting them, for messages. */
  readonly file: string;
  /** Its path: a `!function` in it is resolved from its folder, as lm-eval resolves a tag from the YAML holding it. */
  readonly path: string;
  readonly text: string;
}

/**
 * Validates and compiles task YAML text; `file` names it in messages. `include` and a few-shot file
 * need loadTask; an inline pool (`fewshot_config.samples`, or `fewshotPool`) works here.
 */
export function parseTask(text: string, file: string, options: BuildOptions = {}): Task {
  const source = parseSource(text, file);
  if (Object.hasOwn(source.value, "include")) {
    throw new ConfigError("`include` needs the file on disk: use loadTask", { file, line: lineOf(source.doc, source.lc, ["include"]), key: "include" });
  }
  return withRenderDigest(compile([source], { file, text }, options), text, options);
}

/**
 * Loads a task: `ref` is a path to a YAML file (relative to `cwd`), or the name of a bundled task
 * (`gsm8k` → src/tasks/bundled/gsm8k.yaml). A ref with a `/` or a .yaml/.yml ending is a path.
 */
export async function loadTask(ref: string, opts: TaskLoadOptions = {}): Promise<Task> {
  const cwd = opts.cwd ?? process.cwd();
  const isPath = /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref);
  if (!isPath && !/^[\w.-]+$/.test(ref)) throw new ConfigError(`invalid task name \`${ref}\``);
  const file = isPath ? path.resolve(cwd, ref) : await bundledFile(ref);
  const display = isPath ? ref : path.basename(file);
  const text = await readTaskFile(file, display, isPath ? undefined : ref);
  return loadTaskText(text, file, display, opts);
}

/**
 * Loads a task from its file's text (read by the caller), with `overrides` over its keys (a group's
 * task overrides, as lm-eval applies them): they win over the file and its includes.
 */
export async function loadTaskText(text: string, file: string, display: string, opts: TaskLoadOptions = {}, overrides?: TaskOverrides): Promise<Task> {
  const cwd = opts.cwd ?? process.cwd();
  const sources: Source[] = [];
  if (overrides) {
    const group = parseSource(overrides.text, overrides.file, overrides.path);
    sources.push({ ...group, value: { ...overrides.values } });
  }
  await collect(parseSource(text, display, file), file, cwd, sources, [file]);
  const overridesNote = overrides ? `\n# --- group overrides (${overrides.file}): ${JSON.stringify(overrides.values)}\n` : "";
  const fewshotPool = await readPool(sources, opts, cwd);
  const build: BuildOptions = { numFewshot: opts.numFewshot, fewshotPool, fewshotAsMultiturn: opts.fewshotAsMultiturn, modelFamily: opts.modelFamily, media: opts.media };
  const task = compile(sources, { file, text: "" }, build);
  // The hooks' Python files are part of the task: editing one changes the run's fingerprint, as editing the YAML does.
  const python = await hookSources(task);
  const included = sources.slice(overrides ? 2 : 1);
  const fullText = [text, ...included.map((s) => `\n# --- include: ${s.display} ---\n${s.text}`), ...python, overridesNote, overridesText(opts)].join("");
  const includes = included.flatMap((s) => (s.path === undefined ? [] : [s.path]));
  return withRenderDigest({ ...task, origin: { file, text: fullText, ...(includes.length > 0 ? { includes } : {}) } }, fullText, build);
}

/** Each Python file a task's hooks name, once, as text (a module imported from elsewhere: its name only). */
async function hookSources(task: Task): Promise<string[]> {
  const files = new Map<string, string>();
  for (const hook of task.pythonHooks ?? []) {
    if (files.has(hook.modulePath)) continue;
    const text = await readFile(hook.modulePath, "utf8").catch(() => `(module ${hook.module})`);
    files.set(hook.modulePath, `\n# --- python: ${hook.module}.py ---\n${text}`);
  }
  return [...files.values()];
}

/** Run settings that change prompts, appended to the task's text so that the run's fingerprint sees them. */
function overridesText(opts: TaskLoadOptions): string {
  const set = [
    opts.numFewshot === undefined ? "" : `num_fewshot=${opts.numFewshot}`,
    opts.fewshotFile === undefined ? "" : `fewshot_file=${opts.fewshotFile}`,
    opts.fewshotAsMultiturn ? "fewshot_as_multiturn" : "",
    opts.modelFamily === undefined ? "" : `model_family=${opts.modelFamily}`,
    opts.media?.videoFrames === undefined ? "" : `video_frames=${opts.media.videoFrames}`,
    opts.media?.maxImageSide === undefined ? "" : `max_image_side=${opts.media.maxImageSide}`,
  ].filter(Boolean);
  return set.length ? `\n# --- overrides: ${set.join(" ")}\n` : "";
}

/** The few-shot pool file's docs, when few-shot examples are asked for and a file names them. */
async function readPool(sources: readonly Source[], opts: TaskLoadOptions, cwd: string): Promise<readonly Doc[] | undefined> {
  // The first source holding a key wins, as in the merge.
  const owner = (key: string) => sources.find((s) => Object.hasOwn(s.value, key));
  const numOwner = owner("num_fewshot");
  const num = opts.numFewshot ?? numOwner?.value.num_fewshot;
  if (typeof num !== "number" || num <= 0) return undefined;
  if (opts.fewshotFile !== undefined) return readFewshotFile(path.resolve(cwd, opts.fewshotFile), opts.fewshotFile);
  const fcOwner = owner("fewshot_config");
  const fc = fcOwner?.value.fewshot_config;
  const ref = isPlainRecord(fc) ? fc.file : undefined;
  if (typeof ref !== "string" || !fcOwner) return undefined;
  const base = fcOwner.path ? path.dirname(fcOwner.path) : cwd;
  return readFewshotFile(path.resolve(base, ref), fcOwner.path ? path.join(path.dirname(fcOwner.display), ref) : ref);
}

async function bundledDir(): Promise<string> {
  for (const dir of BUNDLED_DIRS) {
    if (await readdir(dir).then(() => true, () => false)) return dir;
  }
  return BUNDLED_DIRS[0]!;
}

async function bundledFile(name: string): Promise<string> {
  return path.join(await bundledDir(), `${name}.yaml`);
}

async function readTaskFile(file: string, display: string, bundledName?: string): Promise<string> {
  try {
    return await readYamlFile(file, display);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new ConfigError(`cannot read task file: ${(e as Error).message}`, { file: display });
    if (bundledName === undefined) throw new ConfigError("task file not found", { file: display });
    const bundled = (await readdir(await bundledDir())).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5));
    throw new ConfigError(`unknown task \`${bundledName}\`: not a bundled task (bundled: ${bundled.join(", ")}) and no such file`);
  }
}

/**
 * Depth-first: the source, then its includes from the last listed to the first, so that "the first
 * source holding a key wins" gives lm-eval's merge (`merged.update(include)` in order, then the file's own).
 */
async function collect(source: Source, file: string, cwd: string, out: Source[], chain: string[]): Promise<void> {
  out.push(source);
  const include = source.value.include;
  if (include === undefined) return;
  const where = { file: source.display, line: lineOf(source.doc, source.lc, ["include"]), key: "include" };
  const refs = typeof include === "string" ? [include] : include;
  if (!Array.isArray(refs) || !refs.every((r) => typeof r === "string")) throw new ConfigError("expected a file name or a list of them", where);
  if (chain.length > MAX_INCLUDE_DEPTH) throw new ConfigError(`includes nest deeper than ${MAX_INCLUDE_DEPTH}`, where);
  for (const ref of [...refs].reverse()) {
    const target = path.resolve(path.dirname(file), ref);
    if (chain.includes(target)) throw new ConfigError(`include cycle through ${ref}`, where);
    const display = path.relative(cwd, target).startsWith("..") ? target : path.relative(cwd, target);
    let text: string;
    try {
      text = await readYamlFile(target, display);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`cannot read included file ${ref}: ${(e as Error).message}`, where);
    }
    await collect(parseSource(text, display, target), target, cwd, out, [...chain, target]);
  }
}

export function parseSource(text: string, display: string, file?: string): Source {
  let lc = new LineCounter();
  const parse = (t: string, counter: LineCounter) => parseDocument(t, { lineCounter: counter, version: "1.1", uniqueKeys: false, customTags: pyYamlBooleans });
  let doc = parse(text, lc);
  if (doc.errors.length > 0) {
    // PyYAML reads quoted scalars with under-indented continuation lines ("Missing closing quote" here, or
    // stray tokens when a line inside the quotes starts with `}`: jsonschema_bench); retry with them indented.
    const retryLc = new LineCounter();
    const retry = parse(indentQuotedContinuations(text), retryLc);
    if (retry.errors.length === 0) [doc, lc] = [retry, retryLc];
  }
  const err = doc.errors[0];
  if (err) throw new ConfigError(`YAML syntax error: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`, { file: display, line: err.linePos?.[0].line });
  const hooks = findTags(doc, lc, display);
  const value: unknown = yamlValue(doc, display);
  if (!isPlainRecord(value)) throw new ConfigError("expected a mapping of task keys at the top level", { file: display, line: 1 });
  for (const h of hooks) setAt(value, h.keyPath, hookOf(h, display, file));
  return { display, text, doc, lc, value, ...(file ? { path: file } : {}) };
}

interface TagSite {
  readonly keyPath: PropertyKey[];
  readonly spec: string;
  readonly line: number | undefined;
}

/** The `!function` tags of a document; any other custom tag is an error naming where it is. */
function findTags(doc: Document, lc: LineCounter, display: string): TagSite[] {
  const found: TagSite[] = [];
  visit(doc, {
    Node(_key, node, ancestors) {
      const tag = (node as { tag?: string }).tag;
      if (!tag?.startsWith("!") || tag.startsWith("!!")) return;
      const keyPath: PropertyKey[] = [];
      const chain = [...ancestors, node];
      chain.forEach((a, i) => {
        if (isPair(a) && isScalar(a.key)) keyPath.push(a.key.value as PropertyKey);
        if (isSeq(a)) keyPath.push(a.items.indexOf(chain[i + 1]));
      });
      const start = node.range?.[0];
      const line = start === undefined ? undefined : lc.linePos(start).line;
      const spec = isScalar(node) ? node.value : undefined;
      if (tag !== "!function") throw new ConfigError(`unsupported YAML tag ${tag}`, { file: display, line, key: formatPath(keyPath) });
      if (typeof spec !== "string" || !/^[\w.]+\.\w+$/.test(spec)) throw new ConfigError("expected `!function module.name`", { file: display, line, key: formatPath(keyPath) });
      found.push({ keyPath, spec, line });
    },
  });
  return found;
}

function hookOf(site: TagSite, display: string, file: string | undefined): PythonHook {
  const where = { file: display, line: site.line, key: formatPath(site.keyPath) };
  if (!file) throw new ConfigError("`!function` needs the task file on disk (its Python module is found beside it): use loadTask", where);
  return new PythonHook(site.spec, path.dirname(file), display, site.line, where.key);
}

function setAt(root: Record<string, unknown>, keyPath: readonly PropertyKey[], value: unknown): void {
  let node: unknown = root;
  for (const k of keyPath.slice(0, -1)) node = (node as Record<PropertyKey, unknown>)[k];
  (node as Record<PropertyKey, unknown>)[keyPath.at(-1)!] = value;
}

const BOOL_TAG = "tag:yaml.org,2002:bool";

/** PyYAML's boolean spellings, replacing the YAML 1.1 schema's (which adds y, Y, n, N). */
function pyYamlBooleans(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== "object" || t.tag !== BOOL_TAG || !("identify" in t)) return t;
    const test = t.identify?.(true) ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
    return { ...t, test };
  }) as Tags;
}

const isPlainRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function compile(sources: readonly Source[], origin: Task["origin"], options: BuildOptions = {}): Task {
  // The task's own file (a group's overrides come before it but have no path).
  const main = sources.find((s) => s.path !== undefined) ?? sources[0]!;
  // Shallow merge: `collect` put the sources in order of precedence, so the first holding a key wins.
  const owners = new Map<string, Source>();
  for (const s of [...sources].reverse()) for (const key of Object.keys(s.value)) owners.set(key, s);
  const merged: Record<string, unknown> = {};
  for (const [key, s] of owners) if (key !== "include") merged[key] = s.value[key];

  const site = siteFor(main, owners);
  for (const key of Object.keys(merged)) {
    const near = misspelledKey(key);
    if (near) site.fail([key], `unknown key (did you mean \`${near}\`?)`);
  }
  const parsed = TaskSchema.safeParse(merged);
  if (!parsed.success) failWithIssues(parsed.error, site);
  return buildTask(parsed.data, origin, site, options);
}

function siteFor(main: Source, owners: ReadonlyMap<string, Source>): ConfigSite {
  const where = (p: ConfigPath) => {
    const src = owners.get(String(p[0])) ?? main;
    return { file: src.display, line: lineOf(src.doc, src.lc, p), key: formatPath(p) };
  };
  return {
    where,
    fail(p, message) {
      throw new ConfigError(message, where(p));
    },
  };
}

function failWithIssues(error: z.ZodError, site: ConfigSite): never {
  const issue = error.issues[0]!;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  const missing = issue.code === "invalid_type" && /received undefined$/.test(issue.message);
  site.fail(issue.path, (missing ? "required key is missing" : issue.message) + more);
}
