import { parseLine } from "../operators/parse.js";
import type { SourceLine } from "../io/read-lines.js";
import type { Identified } from "../queue/queue-consumer.js";
import type { Reject, Sample } from "../types.js";
import { defaultPipelines } from "../pipelines/registry.js";
import type { PipelineRegistry } from "../pipelines/types.js";
import { approximateTokens } from "../routing/count-tokens.js";
import { chooseRoute } from "../routing/rules.js";
import type { RouteRule } from "../routing/types.js";
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

/** A routed queue's rules, for a worker to count each sample's result lines as the run will route it. */
export interface IdentifyRouting {
  readonly rules: readonly RouteRule[];
  readonly countTokens?: (text: string) => number;
  readonly pipelines?: PipelineRegistry;
}

/**
 * How a worker knows a delivered line: the sample's key and the result lines that finish it
 * (`perSample[task]`: models × repeats), or a reject for a line no task can take. Routed
 * (`routing`), `perSample` is per routed model: the sample is routed here as the run will route it
 * (the same rules on the same prompt), times its rule's models; a sample no rule takes makes one
 * error line.
 */
export function identifier(tasks: readonly Task[], perSample: Readonly<Record<string, number>>, taskRequired = false, routing?: IdentifyRouting): (line: SourceLine) => Identified {
  const first = tasks[0] as Task;
  const idField = (name?: string) => (name && tasks.find((t) => t.name === name)?.idField) || first.idField;
  const registry = routing?.pipelines ?? defaultPipelines;
  const count = routing?.countTokens ?? approximateTokens;
  return (line) => {
    const item = parseLine(line, idField);
    if (item.kind === "reject") return { reject: item.reject };
    const task = taskOfSample(item.sample, tasks, taskRequired);
    if (!("name" in task)) return { reject: task };
    const key = sampleKey(task.name, item.sample.id);
    const each = perSample[task.name] ?? 1;
    if (!routing) return { key, expected: each };
    return { key, expected: routedModelCount(item.sample, task, routing.rules, registry, count) * each || 1 };
  };
}

/** The models the run will route a sample to (0 when no rule takes it, or it cannot be prepared: it then makes one line, or none). */
function routedModelCount(sample: Sample, task: Task, rules: readonly RouteRule[], registry: PipelineRegistry, count: (text: string) => number): number {
  try {
    const prepared = registry[task.outputType]?.prepare(sample, task);
    if (!prepared) return 0;
    let tokens: number | undefined;
    const decision = chooseRoute(rules, {
      sample,
      doc: sample.doc,
      task,
      prompt: prepared.input,
      ...(prepared.media ? { media: prepared.media } : {}),
      get promptTokens() {
        return (tokens ??= count(prepared.input));
      },
    });
    return decision?.models.length ?? 0;
  } catch {
    return 0;
  }
}
