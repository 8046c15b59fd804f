import { ConfigError } from "../errors/config-error.js";
import { formatDuration, parseDuration } from "./duration.js";

/**
 * How results are grouped into windows. `slide` equal to the size makes tumbling windows (each
 * result in exactly one window); a smaller slide that divides the size makes sliding ones (a window
 * of the last `size` ends every `slide`, so each result is in size / slide windows).
 */
export type WindowSpec =
  | { readonly kind: "time"; readonly sizeMs: number; readonly slideMs: number }
  | { readonly kind: "count"; readonly size: number; readonly slide: number };

/** Most panes (size / slide) a sliding window may have: each pane holds its own accumulators. */
export const MAX_PANES = 1000;

/**
 * Parses `--window` and `--slide`: `60s`, `5m`, `1h` (time, by the clock) or `1000` (a count of
 * results: sample × model × repeat). The slide must be of the same kind, at most the window and a
 * divisor of it. Throws a ConfigError naming the flag.
 */
export function parseWindowSpec(window: string, slide?: string): WindowSpec {
  const size = parseAmount(window, "--window");
  if (slide === undefined) return size.kind === "time" ? { kind: "time", sizeMs: size.n, slideMs: size.n } : { kind: "count", size: size.n, slide: size.n };
  const step = parseAmount(slide, "--slide");
  if (step.kind !== size.kind) {
    throw new ConfigError(`expected a ${size.kind === "time" ? "duration (like 10s)" : "count (like 100)"} to match --window ${window}, got ${JSON.stringify(slide)}`, { key: "--slide" });
  }
  const spec: WindowSpec = size.kind === "time" ? { kind: "time", sizeMs: size.n, slideMs: step.n } : { kind: "count", size: size.n, slide: step.n };
  const problem = checkWindowSpec(spec);
  if (problem) throw new ConfigError(problem, { key: "--slide" });
  return spec;
}

/** What is wrong with a spec (a message), or undefined. The window operators throw it as a RangeError. */
export function checkWindowSpec(spec: WindowSpec): string | undefined {
  const [size, slide, name] = spec.kind === "time" ? [spec.sizeMs, spec.slideMs, "sizeMs"] : [spec.size, spec.slide, "size"];
  const slideName = spec.kind === "time" ? "slideMs" : "slide";
  if (!Number.isInteger(size) || size < 1) return `Expected \`${name}\` to be an integer >= 1, got ${size}`;
  if (!Number.isInteger(slide) || slide < 1 || slide > size) return `Expected \`${slideName}\` to be an integer from 1 to ${size}, got ${slide}`;
  const show = (n: number) => (spec.kind === "time" ? formatDuration(n) : String(n));
  if (size % slide !== 0) return `Expected the slide (${show(slide)}) to divide the window (${show(size)}) evenly`;
  if (size / slide > MAX_PANES) return `Expected the window (${show(size)}) to be at most ${MAX_PANES} slides (${show(slide)}) long, got ${size / slide}`;
  return undefined;
}

/** `60s` → "60s", `{kind:"count",size:1000,slide:100}` → "1000 results, sliding by 100". */
export function describeWindowSpec(spec: WindowSpec): string {
  if (spec.kind === "time") {
    return spec.slideMs === spec.sizeMs ? formatDuration(spec.sizeMs) : `${formatDuration(spec.sizeMs)}, sliding by ${formatDuration(spec.slideMs)}`;
  }
  return spec.slide === spec.size ? `${spec.size} results` : `${spec.size} results, sliding by ${spec.slide}`;
}

function parseAmount(text: string, flag: string): { kind: "time" | "count"; n: number } {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && Number.isSafeInteger(n)) return { kind: "count", n };
  } else {
    const ms = parseDuration(t);
    if (ms !== undefined && Number.isInteger(ms) && ms >= 1) return { kind: "time", n: ms };
  }
  throw new ConfigError(`expected a duration (60s, 5m, 1h) or a count of results (1000), got ${JSON.stringify(text)}`, { key: flag });
}
