import { isPySpace } from "../python/str.js";

/** lm-eval's `requires_delimiter` (api/utils.py): neither side has whitespace where they join. */
export function requiresDelimiter(prefix: string, suffix: string): boolean {
  if (prefix === "" || suffix === "") return false;
  return !(isPySpace(prefix.at(-1)!) || isPySpace(suffix[0]!));
}

/** lm-eval's `maybe_delimit`: prefix and suffix joined by `delimiter` when neither has whitespace at the join. */
export function maybeDelimit(prefix: string | undefined, suffix: string | undefined, delimiter = " "): string {
  if (!prefix) return suffix ?? "";
  if (!suffix) return prefix;
  return requiresDelimiter(prefix, suffix) ? prefix + delimiter + suffix : prefix + suffix;
}
