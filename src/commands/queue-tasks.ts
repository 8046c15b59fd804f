import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors/config-error.js";
import type { TaskSource } from "../queue/queue-definition.js";
import { type LoadedTasks, loadTaskRefs, type TaskGroup } from "../tasks/group.js";
import type { Task } from "../work/task.js";
import { loadTaskText, type TaskLoadOptions } from "../tasks/load.js";

/** A `-t` reference that names a file (not a bundled task). */
export const isTaskPath = (ref: string): boolean => /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref);

/** The `-t` references as a queue keeps them: bundled names as they are, task files with their text. */
export async function taskSources(refs: readonly string[]): Promise<TaskSource[]> {
  return Promise.all(
    refs.map(async (ref): Promise<TaskSource> => {
      if (!isTaskPath(ref)) return { ref };
      const file = path.resolve(ref);
      return { ref, file, text: await readFile(file, "utf8") };
    }),
  );
}

/**
 * A worker's tasks: a task file that exists at the same path on this machine is loaded from it (a
 * group file, or a task whose few-shot or hook files sit beside it, needs that); otherwise from the
 * text the queue keeps (a task file that stands alone).
 */
export async function loadQueueTasks(sources: readonly TaskSource[], opts: TaskLoadOptions): Promise<LoadedTasks> {
  if (sources.length === 0) throw new ConfigError("the queue's definition names no task", { key: "--queue" });
  // One by one, in the order given: the run's first task is its default one.
  const tasks: Task[] = [];
  const groups: TaskGroup[] = [];
  for (const s of sources) {
    if (s.text === undefined || (s.file !== undefined && (await exists(s.file)))) {
      const loaded = await loadTaskRefs([s.file ?? s.ref], opts);
      tasks.push(...loaded.tasks);
      groups.push(...loaded.groups);
    } else tasks.push(await loadTaskText(s.text, s.file ?? s.ref, s.ref, opts));
  }
  return { tasks, groups };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
