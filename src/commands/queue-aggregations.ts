import { readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors/config-error.js";
import { PythonHook } from "../python/hooks/hook-ref.js";
import type { QueueDefinition } from "../queue/queue-definition.js";
import type { StoredPythonAggregation } from "../store/run-meta.js";
import { materializeFiles, type MaterializedFiles } from "./queue-files.js";

/**
 * The queue's Python aggregations as `collect` runs them on this machine. A module this machine has at the
 * enqueuing path, with the same text, is its own code; otherwise it is the copy the queue carries, code from
 * whoever can write to that Redis, run only with `--allow-python-hooks` (as a worker's hooks are). Returns the
 * definition with each aggregation's folder where its module is here, and the folder of copies to remove.
 */
export async function localAggregations(def: QueueDefinition, shippedFiles: () => Promise<Readonly<Record<string, string>>>, allow: boolean): Promise<{ def: QueueDefinition; files?: MaterializedFiles }> {
  const stored = def.taskMeta.flatMap((t) => Object.values(t.python_aggregations ?? {}));
  if (stored.length === 0 || !def.files?.length) return { def };
  const shipped = await shippedFiles();
  // Per module (a task's aggregations often share one): read once.
  const differs = new Map<string, Promise<boolean>>();
  const needsCopy = (s: StoredPythonAggregation): Promise<boolean> => {
    const module = new PythonHook(s.spec, s.dir, s.file, s.line, s.key).modulePath;
    if (!Object.hasOwn(shipped, module)) return Promise.resolve(false);
    if (!differs.has(module)) differs.set(module, readFile(module, "utf8").then((text) => text !== shipped[module], () => true));
    return differs.get(module)!;
  };
  const copied = new Set<StoredPythonAggregation>();
  for (const s of stored) if (await needsCopy(s)) copied.add(s);
  if (copied.size === 0) return { def };
  const first = [...copied][0]!;
  if (!allow) {
    throw new ConfigError(`the queue's run aggregates in Python (\`${first.spec}\` in ${path.basename(new PythonHook(first.spec, first.dir, first.file, first.line).modulePath)}), code this machine has only from the queue: collect with --allow-python-hooks to run it`, { key: "--allow-python-hooks" });
  }
  const files = await materializeFiles(shipped);
  const here = (s: StoredPythonAggregation): StoredPythonAggregation => (copied.has(s) ? { ...s, dir: path.join(files.dir, s.dir.replace(/^[A-Za-z]:/, "")) } : s);
  const taskMeta = def.taskMeta.map((t) => (t.python_aggregations ? { ...t, python_aggregations: Object.fromEntries(Object.entries(t.python_aggregations).map(([k, s]) => [k, here(s)])) } : t));
  return { def: { ...def, taskMeta }, files };
}
