import { readFile } from "node:fs/promises";
import { ConfigError } from "../errors/config-error.js";
import type { Doc } from "../types.js";

/** A few-shot pool is configuration, read whole: refuse files that are clearly datasets to evaluate. */
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads a few-shot pool: JSONL, one doc (a JSON object) per line; blank lines are skipped. Every
 * problem is a ConfigError naming the file and line (`dev.jsonl:3: not a JSON object`).
 */
export async function readFewshotFile(file: string, display: string): Promise<Doc[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the few-shot file: ${(e as Error).message}`, { file: display });
  }
  if (text.length > MAX_BYTES) throw new ConfigError(`the few-shot file is over ${MAX_BYTES / 1024 / 1024} MB; a pool of examples should be small`, { file: display });
  const docs: Doc[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new ConfigError(`invalid JSON: ${(e as Error).message}`, { file: display, line: i + 1 });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError("not a JSON object", { file: display, line: i + 1 });
    docs.push(value as Doc);
  });
  if (docs.length === 0) throw new ConfigError("the few-shot file holds no examples", { file: display });
  return docs;
}
