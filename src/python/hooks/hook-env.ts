/** Variable names that look like credentials: never passed to task code. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/**
 * The environment of the hook worker: the run's own, without credentials. A task folder's Python is
 * code from wherever the task came from; it gets no API key. Removed: every variable named in `strip`
 * (the configured `--api-key-env` variables) and every one whose name contains KEY, TOKEN, SECRET,
 * PASSWORD or CREDENTIAL (case-insensitive). Pure.
 */
export function hookEnvironment(env: NodeJS.ProcessEnv, strip: readonly string[] = []): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || strip.includes(name) || SECRET_NAME.test(name)) continue;
    out[name] = value;
  }
  // Task folders are the user's: no __pycache__ written into them.
  out.PYTHONDONTWRITEBYTECODE = "1";
  out.PYTHONIOENCODING = "utf-8";
  return out;
}
