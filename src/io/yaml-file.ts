import { openSync, readSync, closeSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Document, ToJSOptions } from "yaml";
import { ConfigError } from "../errors/config-error.js";

/**
 * The largest YAML configuration file read (task, group, models, routing): 1 MiB. lm-evaluation-harness's
 * largest task file is 62 kB; a 100 MB one took 93 s and 3.8 GB to parse, so a cap keeps a hostile file
 * from stalling or exhausting the machine before a single sample runs.
 */
export const MAX_YAML_BYTES = 1024 * 1024;

/** The bound on alias expansion (yaml's default, made explicit: past it toJS throws a ReferenceError). */
const MAX_ALIAS_COUNT = 100;

const tooLarge = (display: string) =>
  new ConfigError(`larger than ${MAX_YAML_BYTES / 1024 / 1024} MiB: not read (a configuration file this size is a mistake or an attack)`, { file: display });

/**
 * A YAML file's text, read only up to MAX_YAML_BYTES: a larger file is a ConfigError naming it, found
 * without reading it whole (a FIFO or /dev/stdin included). Errors of the file system (ENOENT …)
 * pass through for the caller to word.
 */
export async function readYamlFile(file: string, display = file): Promise<string> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_YAML_BYTES) throw tooLarge(display);
    }
    return buf.toString("utf8", 0, n);
  } finally {
    await fh.close();
  }
}

/** readYamlFile, synchronously (for validation that runs before anything is started). */
export function readYamlFileSync(file: string, display = file): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
    let n = 0;
    for (;;) {
      const bytesRead = readSync(fd, buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_YAML_BYTES) throw tooLarge(display);
    }
    return buf.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * A parsed document's value, with alias expansion bounded: an alias bomb is a ConfigError naming the
 * file, never a stack trace or an hour of expansion.
 */
export function yamlValue(doc: Document, display: string, options: Omit<ToJSOptions, "maxAliasCount"> = {}): unknown {
  try {
    return doc.toJS({ ...options, maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    if (/excessive alias/i.test(e.message)) throw new ConfigError("YAML aliases expand too far (an alias bomb?): not read", { file: display });
    throw new ConfigError(`YAML error: ${e.message}`, { file: display });
  }
}
