/**
 * A sample that does not satisfy its task (a template names a field the line lacks …).
 * The line is set aside as a reject; the run goes on unless --strict.
 */
export class TaskInputError extends Error {
  override readonly name = "TaskInputError";
  readonly code = "E_TASK_INPUT";
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/** Whether an error is a TaskInputError. */
export const isTaskInputError = (e: unknown): e is TaskInputError => e instanceof TaskInputError;
