import { type AlertRule, parseAlert } from "../continuous/alert-expression.js";
import { parseDuration } from "../continuous/duration.js";
import { parseWindowSpec, type WindowSpec } from "../continuous/window-spec.js";
import { ConfigError } from "../errors/config-error.js";

/** The run command's flags for continuous evaluation, as commander parsed them. */
export interface ContinuousFlags {
  continuous?: boolean;
  window?: string;
  slide?: string;
  metricsOut?: string;
  alert?: string[];
  exitOnAlert?: boolean;
  retain?: string;
  /** `--no-store` makes it false (then there is nothing to retain). */
  store?: string | false;
}

/** How long the checkpoint store keeps a continuous run's records: by age, or the newest N. */
export type Retention = { readonly maxAgeMs: number } | { readonly maxCount: number };

/** Validated continuous settings; undefined in RunConfig when no such flag was given. */
export interface ContinuousConfig {
  /** `--continuous`: endless input (no total, bounded duplicate detection, SIGTERM ends it with 0). */
  readonly endless: boolean;
  readonly window: WindowSpec;
  /** Window and alert lines go here; undefined: stderr. */
  readonly metricsOut: string | undefined;
  readonly alerts: readonly AlertRule[];
  readonly exitOnAlert: boolean;
  readonly retain: Retention | undefined;
}

/** The window `--continuous` uses when `--window` is not given. */
export const DEFAULT_WINDOW = "60s";

/**
 * Flags → ContinuousConfig, or undefined when none of them is given. Windows and alerts work in a
 * batch run too (rolling figures over a long file); `--continuous` defaults the window to 60s.
 * Throws a ConfigError naming the flag: a bad window, a bad alert expression (naming the bad
 * token), `--slide` without `--window`, `--exit-on-alert` without `--alert`, `--retain` without
 * `--continuous`.
 */
export function resolveContinuousConfig(flags: ContinuousFlags): ContinuousConfig | undefined {
  const endless = flags.continuous ?? false;
  const alerts = (flags.alert ?? []).map((text) => parseAlert(text));
  const any = endless || flags.window !== undefined || flags.slide !== undefined || flags.metricsOut !== undefined || alerts.length > 0 || flags.exitOnAlert || flags.retain !== undefined;
  if (!any) return undefined;
  if (flags.slide !== undefined && flags.window === undefined && !endless) throw new ConfigError("needs --window (the window it slides)", { key: "--slide" });
  if (flags.exitOnAlert && alerts.length === 0) throw new ConfigError("needs at least one --alert", { key: "--exit-on-alert" });
  if (flags.retain !== undefined && !endless) throw new ConfigError("applies to --continuous runs only", { key: "--retain" });
  if (flags.retain !== undefined && flags.store === false) throw new ConfigError("prunes the checkpoint store, and --no-store keeps none", { key: "--retain" });
  if (flags.window === undefined && !endless) throw new ConfigError(`needs --window (60s, 1000 …) or --continuous (which windows by ${DEFAULT_WINDOW})`, { key: flags.metricsOut !== undefined ? "--metrics-out" : "--alert" });
  return {
    endless,
    window: parseWindowSpec(flags.window ?? DEFAULT_WINDOW, flags.slide),
    metricsOut: flags.metricsOut,
    alerts,
    exitOnAlert: flags.exitOnAlert ?? false,
    retain: flags.retain === undefined ? undefined : parseRetention(flags.retain),
  };
}

/** `7d`, `12h` (records older than that are pruned) or `100000` (only the newest N are kept). */
export function parseRetention(text: string): Retention {
  const t = text.trim();
  if (/^\d+$/.test(t) && Number(t) >= 1 && Number.isSafeInteger(Number(t))) return { maxCount: Number(t) };
  const ms = parseDuration(t);
  if (ms !== undefined && ms >= 1000) return { maxAgeMs: ms };
  throw new ConfigError(`expected an age (7d, 12h, 30m; at least 1s) or a count of records (100000), got ${JSON.stringify(text)}`, { key: "--retain" });
}
