/** A task, models or CLI configuration that cannot be used. Names the file, line and key where known. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "E_CONFIG";
  constructor(
    message: string,
    readonly where: { readonly file?: string; readonly line?: number; readonly key?: string } = {},
  ) {
    super(formatWhere(where) + message);
  }
}

function formatWhere(w: { file?: string; line?: number; key?: string }): string {
  const parts = [w.file && (w.line ? `${w.file}:${w.line}` : w.file), w.key && `key \`${w.key}\``].filter(Boolean);
  return parts.length ? `${parts.join(", ")}: ` : "";
}

/** Whether an error is a ConfigError. */
export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;
