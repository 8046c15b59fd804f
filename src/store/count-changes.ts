/** A run's records: done (ok) and standing errors. */
export interface RecordCounts {
  ok: number;
  error: number;
}

/**
 * How committing a batch changes a run's counts, given which of its keys are in the done and errors
 * parts before it (`done`, `errors`; both are updated as the batch goes, so a key twice in one batch
 * counts once): an ok line adds a done record unless its key is done already, and takes away the key's
 * standing error; an error line adds an error record unless its key has one.
 */
export function countChanges(statuses: readonly ("ok" | "error")[], keys: readonly string[], done: Set<string>, errors: Set<string>): RecordCounts {
  let ok = 0;
  let error = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (statuses[i] === "ok") {
      if (!done.has(key)) {
        ok++;
        done.add(key);
      }
      if (errors.delete(key)) error--;
    } else if (!errors.has(key)) {
      error++;
      errors.add(key);
    }
  }
  return { ok, error };
}
