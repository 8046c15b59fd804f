/**
 * What CPython would raise (a TypeError, ValueError or IndexError) while evaluating Python semantics
 * on sample values. This floor knows no task: the caller decides what such an error means (a template
 * turns it into a TaskInputError, so the sample is set aside as a reject).
 */
export class PythonError extends Error {
  override readonly name = "PythonError";
}

export const isPythonError = (e: unknown): e is PythonError => e instanceof PythonError;
