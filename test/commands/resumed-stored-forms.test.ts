import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/run-command.js";
import { resolveRunConfig } from "../../src/config/run-config.js";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { LEVELDB_DIR, RECORDS_DIR } from "../../src/store/checkpoint-store.js";
import { encodeDone, encodeDoneLine } from "../../src/store/done-record.js";
import { memoryIO } from "../support/command-io.js";

/**
 * A resumed run writes each stored line as `JSON.stringify({ ...line, resumed: true })`, byte for byte, whatever
 * form the store keeps it in: with its fold's ranges or without (written before `record_fold`), holding a member
 * named `resumed` (at the top or nested, or the word in a string), non-ASCII text and escapes; with the summary
 * snapshot (folds not decoded) and without one; to a file and to stdout.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const sample = join(root, "examples/gsm8k-sample.jsonl");

let sim: SimServer;
let dir: string;
let input: string;

beforeAll(async () => {
  sim = await startSim({ answerKeyFile: sample, accuracy: 0.6, seed: 3, ttftMs: 0, itlMs: 0 });
  dir = await mkdtemp(join(tmpdir(), "streameval-resumed-forms-"));
  const extra = [
    '{"id":"q\\u00e9","question":"Caf\\u00e9 — Janet’s ducks: how many is 1 + 1? 😀","answer":"#### 2"}',
    '{"id":"q-esc","question":"Tab\\there, \\"quoted\\", back\\\\slash, \\u0001 and \\u2028: 2 + 2?","answer":"#### 4"}',
    '{"id":"q-word","question":"Say {\\"resumed\\": false} then add 3 + 3","answer":"#### 6"}',
  ];
  input = join(dir, "input.jsonl");
  await writeFile(input, `${(await readFile(sample, "utf8")).trim()}\n${extra.join("\n")}\n`);
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(output: string | undefined): Promise<string> {
  const io = memoryIO();
  const flags = { task: ["gsm8k"], model: ["sim"], baseUrl: sim.url, concurrency: "8", store: join(dir, "store"), ...(output ? { output: join(dir, output) } : {}) };
  expect(await runCommand(resolveRunConfig([input], flags, {}), io), io.err()).toBe(0);
  return output ? await readFile(join(dir, output), "utf8") : io.out();
}

/**
 * Rewrites the run's stored records in their other forms, one line in four each: no fold's ranges; a `resumed`
 * member last; one first; one nested. Gives each stored line (its JSON without the record's own keys) by id.
 */
async function rewriteRecords(): Promise<Map<string, Record<string, unknown>>> {
  const db = new Level<string, string>(join(dir, "store", RECORDS_DIR), { valueEncoding: "utf8" });
  const lines = new Map<string, Record<string, unknown>>();
  const ops: { type: "put"; key: string; value: string }[] = [];
  let i = 0;
  for await (const [key, value] of db.iterator()) {
    const { record_source: source, record_fold: _, ...made } = JSON.parse(value) as Record<string, unknown>;
    expect(typeof source).toBe("string");
    const forms: Record<string, unknown>[] = [made, { ...made, resumed: false }, { resumed: 0, ...made }, { ...made, timing: { ...(made.timing as object), resumed: 1 } }];
    const line = forms[i % 4]!;
    const stored = i % 5 === 4 ? encodeDone(JSON.stringify(line), source as string) : encodeDoneLine(line, source as string);
    ops.push({ type: "put", key, value: stored });
    lines.set(made.id as string, line);
    i++;
  }
  await db.batch(ops);
  await db.close();
  expect(lines.size).toBe(43);
  return lines;
}

/** Deletes the run's summary snapshot: a resume then decodes every record's fold. */
async function deleteSnapshot(): Promise<void> {
  const db = new Level<string, string>(join(dir, "store", LEVELDB_DIR), { valueEncoding: "utf8" });
  const keys = (await db.keys().all()).filter((k) => k.endsWith("!s!summary"));
  expect(keys).toHaveLength(1);
  await db.batch(keys.map((key) => ({ type: "del" as const, key })));
  await db.close();
}

describe("a resumed line's output", () => {
  it("is JSON.stringify of the stored line marked resumed, whatever form the record has", async () => {
    const first = await run("first.jsonl");
    expect(first.trim().split("\n")).toHaveLength(43);
    const stored = await rewriteRecords();
    const expected = (text: string) => {
      const got = text.trim().split("\n");
      expect(got).toHaveLength(43);
      for (const line of got) {
        const id = (JSON.parse(line) as { id: string }).id;
        expect(line).toBe(JSON.stringify({ ...stored.get(id), resumed: true }));
      }
    };
    // With the snapshot the first run saved: folds are not decoded.
    const deferred = await run("deferred.jsonl");
    expected(deferred);
    expect(await run(undefined)).toBe(deferred);
    await deleteSnapshot();
    const folded = await run("folded.jsonl");
    expected(folded);
    expect(folded).toBe(deferred);
  });
});
