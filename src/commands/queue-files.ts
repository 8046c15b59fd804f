import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "../errors/config-error.js";
import type { Task } from "../work/task.js";

/** The most a queue carries of the files its run needs (task folders, hooks, routes, models, few-shot pool). */
export const MAX_QUEUE_FILES_BYTES = 4 * 1024 * 1024;

/** What of a task file's folder goes with it: YAML (includes too, lm-eval's `_default_template_yaml`), Python hooks, templates, few-shot pools. */
const TASK_FOLDER_FILE = /(\.ya?ml|_yaml|\.py|\.jinja2?|\.jsonl?|\.txt)$/i;

/** The files a run definition names, by their absolute path on the enqueuing machine, with why each goes. */
export interface FilesToShip {
  readonly route?: string;
  readonly models?: string;
  readonly fewshotFile?: string;
  /** Task files given by path (`-t path/task.yaml`, a group file). */
  readonly taskFiles: readonly string[];
  readonly tasks: readonly Task[];
}

/**
 * Reads what a worker on another machine needs beside the samples: the routing rules, the models
 * file, the few-shot file, and each task file's folder (its YAML, includes, Python hooks, templates,
 * few-shot pools; not its subfolders) plus every file its includes name wherever it lies and every hook
 * module the tasks name, keyed by absolute path.
 * More than MAX_QUEUE_FILES_BYTES in all is a ConfigError (exit 2) naming the largest files.
 */
export async function readFilesToShip(what: FilesToShip, maxBytes = MAX_QUEUE_FILES_BYTES): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const add = async (file: string) => {
    const abs = path.resolve(file);
    if (!files.has(abs)) files.set(abs, await readFile(abs, "utf8"));
  };
  for (const f of [what.route, what.models, what.fewshotFile]) if (f !== undefined) await add(f);
  // A group's member tasks sit in folders of their own; a bundled task is on every worker already.
  const ownTasks = what.tasks.map((t) => t.origin.file).filter((f) => path.isAbsolute(f) && !BUNDLED.test(f));
  const folders = new Set([...what.taskFiles, ...ownTasks].map((f) => path.dirname(path.resolve(f))));
  for (const folder of folders) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.isFile() && TASK_FOLDER_FILE.test(entry.name)) await add(path.join(folder, entry.name));
    }
  }
  // A file an `include:` names outside those folders (lm-eval's `include: ../generate_until_template_yaml`):
  // the worker resolves the include from its copy of the task, at the same path below its folder.
  for (const t of what.tasks) if (!BUNDLED.test(t.origin.file)) for (const file of t.origin.includes ?? []) await add(file);
  for (const t of what.tasks) for (const hook of t.pythonHooks ?? []) if (await isFile(hook.modulePath)) await add(hook.modulePath);
  const sizes = [...files].map(([file, text]) => [file, Buffer.byteLength(text)] as const);
  const total = sizes.reduce((sum, [, n]) => sum + n, 0);
  if (total > maxBytes) {
    const largest = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([f, n]) => `${f} (${mb(n)})`);
    throw new ConfigError(`the files this run needs on every worker come to ${mb(total)}, more than a queue carries (${mb(maxBytes)}); the largest: ${largest.join(", ")}. Move what the task does not need out of its folder`, { key: "--queue" });
  }
  return files;
}

const BUNDLED = /[\\/]tasks[\\/]bundled[\\/]/;

/** The shipped files written under a folder of this machine, each at its enqueuing path below it. */
export interface MaterializedFiles {
  readonly dir: string;
  /** Where a file shipped as `abs` is on this machine (a path not shipped is returned as it is). */
  local(abs: string): string;
  /** True when `file` is one of the shipped files (code from the queue, not from this machine). */
  shipped(file: string): boolean;
  remove(): Promise<void>;
}

export async function materializeFiles(files: Readonly<Record<string, string>>): Promise<MaterializedFiles> {
  const dir = await mkdtemp(path.join(tmpdir(), "streameval-queue-files-"));
  const local = (abs: string) => (Object.hasOwn(files, abs) ? path.join(dir, abs.replace(/^[A-Za-z]:/, "")) : abs);
  for (const [abs, text] of Object.entries(files)) {
    const target = local(abs);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return {
    dir,
    local,
    shipped: (file) => path.resolve(file).startsWith(dir + path.sep),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;
}
