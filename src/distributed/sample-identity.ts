import { parseLine } from "../operators/parse.js";
import type { SourceLine } from "../io/read-lines.js";
import type { Identified } from "../queue/queue-consumer.js";
import type { Reject, Sample } from "../types.js";
import type { Task } from "../work/task.js";

/**
 * The task a sample belongs to, as `evaluate` decides it: its `task` field, else (with several tasks)
 * its file's name, else the first task. A reject when it names no task of the run.
 */
export function taskOfSample(sample: Sample, tasks: readonly Task[], taskRequired: boolean): Task | Reject {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const fromFile = tasks.length > 1 ? sample.at.file.split(/[\\/]/).pop()!.replace(/\.jsonl?$/i, "") : undefined;
  const named = sample.task ?? (fromFile !== undefined && byName.has(fromFile) ? fromFile : undefined);
  const raw = JSON.stringify(sample.doc).slice(0, 200);
  if (named === undefined && taskRequired) return { at: sample.at, reason: "key `task`: missing; the line of a group run names its task by a `task` field or by its file's name (TASK.jsonl)", raw };
  const task = named === undefined ? tasks[0] : byName.get(named);
  if (!task) return { at: sample.at, reason: `key \`task\`: unknown task ${JSON.stringify(named)} (this run has ${[...byName.keys()].join(", ")})`, raw };
  return task;
}

/** A sample's key in a queue worker's books: its task and id. */
export const sampleKey = (task: string, id: string): string => JSON.stringify([task, id]);

/**
 * How a worker knows a delivered line: the sample's key and the result lines that finish it
 * (`perSample[task]`: models × repeats), or a reject for a line no task can take.
 */
export function identifier(tasks: readonly Task[], perSample: Readonly<Record<string, number>>, taskRequired = false): (line: SourceLine) => Identified {
  const first = tasks[0] as Task;
  const idField = (name?: string) => (name && tasks.find((t) => t.name === name)?.idField) || first.idField;
  return (line) => {
    const item = parseLine(line, idField);
    if (item.kind === "reject") return { reject: item.reject };
    const task = taskOfSample(item.sample, tasks, taskRequired);
    if (!("name" in task)) return { reject: task };
    return { key: sampleKey(task.name, item.sample.id), expected: perSample[task.name] ?? 1 };
  };
}
