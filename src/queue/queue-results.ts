import type { QueueClient } from "./queue-client.js";
import type { ResultLine } from "../types.js";
import { workKeyString } from "../types.js";
import type { QueueKeys } from "./queue-keys.js";
import { runScript } from "./queue-scripts.js";

/**
 * The queue's results, as a worker's run records and looks them up (it fits `evaluate`'s
 * `checkpoint`). A result is written once per work key, atomically (a Lua script): a sample delivered
 * twice, or a result sent again after a dropped connection, is not counted twice. An ok result is
 * final; an error is replaced by a later ok (a retry), as a rerun does with a local store. Lookups
 * find ok results only, so a sample claimed from a dead worker skips the work it had finished.
 */
export class QueueResults {
  readonly #redis: QueueClient;
  readonly #keys: QueueKeys;

  constructor(redis: QueueClient, keys: QueueKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async record(line: ResultLine): Promise<void> {
    await runScript(this.#redis, "seRecord", [this.#keys.done, this.#keys.results, this.#keys.meta], [workKeyString(line), line.status, JSON.stringify(line)]);
  }

  async lookup(keys: readonly string[]): Promise<(ResultLine | undefined)[]> {
    if (keys.length === 0) return [];
    const marks = await this.#redis.hmget(this.#keys.done, ...keys);
    const ids = marks.map((m) => (m?.startsWith("ok|") ? m.slice(3) : undefined));
    const lines = await Promise.all(ids.map((id) => (id === undefined ? Promise.resolve(undefined) : this.#redis.xrange(this.#keys.results, id, id))));
    return lines.map((entries) => (entries?.[0] ? lineOf(entries[0][1]) : undefined));
  }
}

/**
 * Every work key's counted result, in the order results were first recorded, read a page at a
 * time (memory bounded by the page, however many results): a results entry is yielded when it is
 * the one its key counts (an error later replaced by an ok is skipped; the ok comes where it was written).
 */
export async function* countedResults(redis: QueueClient, keys: QueueKeys, pageSize = 1000): AsyncGenerator<ResultLine, void, undefined> {
  let start = "-";
  for (;;) {
    const page = await redis.xrange(keys.results, start, "+", "COUNT", pageSize);
    if (page.length === 0) return;
    const fields = page.map(([, f]) => fieldsOf(f));
    const marks = await redis.hmget(keys.done, ...fields.map((f) => f.key ?? ""));
    for (let i = 0; i < page.length; i++) {
      const [id] = page[i] as [string, string[]];
      const mark = marks[i];
      if (mark && mark.slice(mark.indexOf("|") + 1) === id) yield JSON.parse(fields[i]?.line ?? "null") as ResultLine;
    }
    if (page.length < pageSize) return;
    start = `(${(page[page.length - 1] as [string, string[]])[0]}`;
  }
}

/**
 * Results as workers record them, from `after` (an entry id; `$` for new ones only) until `signal`:
 * an error later replaced by an ok comes out twice (the ok last), so a follower sees the retry.
 */
export async function* followResults(blocking: QueueClient, keys: QueueKeys, signal: AbortSignal, after = "0-0"): AsyncGenerator<{ id: string; line: ResultLine }, void, undefined> {
  let last = after;
  while (!signal.aborted) {
    const reply = (await blocking.xread("COUNT", 500, "BLOCK", 500, "STREAMS", keys.results, last));
    for (const [, entries] of reply ?? []) {
      for (const [id, f] of entries) {
        last = id;
        yield { id, line: lineOf(f) };
      }
    }
  }
}

function fieldsOf(fields: readonly string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return f;
}

function lineOf(fields: readonly string[]): ResultLine {
  return JSON.parse(fieldsOf(fields).line ?? "null") as ResultLine;
}
