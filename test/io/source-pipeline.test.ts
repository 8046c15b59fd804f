/**
 * The input side end to end, as run.ts will wire it: openInputs → pullSource(Demand) → parse →
 * detectDuplicates, with rejects to the rejects writer. Real files: a bundled dataset and a bad one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { finalize, from, lastValueFrom, mergeMap, tap } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventOf } from "../../src/events.js";
import { Demand, pullSource } from "../../src/io/demand.js";
import { countLines, openInputs } from "../../src/io/open-inputs.js";
import { createRejectsWriter } from "../../src/io/rejects-writer.js";
import { detectDuplicates } from "../../src/operators/detect-duplicates.js";
import { parse } from "../../src/operators/parse.js";
import type { Sample } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";

const GSM8K = datasetPath("gsm8k_test.jsonl");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streameval-source-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function runSource(paths: string[], rejectsPath: string, stdinText = "") {
  const demand = new Demand(8);
  const rejects = createRejectsWriter(rejectsPath);
  const samples: Sample[] = [];
  const duplicates: Array<EventOf<"duplicate-id">> = [];
  let maxInFlight = 0;
  await lastValueFrom(
    pullSource(openInputs(paths, Readable.from([Buffer.from(stdinText)])), demand).pipe(
      parse(),
      detectDuplicates({ onDuplicate: (e) => duplicates.push(e) }),
      tap(() => (maxInFlight = Math.max(maxInFlight, demand.inFlight))),
      mergeMap((item) =>
        from(Promise.resolve(item)).pipe(
          tap((i) => (i.kind === "sample" ? samples.push(i.sample) : rejects.write(i.reject))),
          finalize(() => demand.release()),
        ),
      ),
    ),
    { defaultValue: undefined },
  );
  await rejects.close();
  return { samples, duplicates, rejects: rejects.count, maxInFlight, inFlight: demand.inFlight };
}

describe("the source, end to end", () => {
  it("reads gsm8k: every line a sample with its own id, nothing rejected, at most 8 in flight", async () => {
    const rejectsPath = join(dir, "run", "rejects.jsonl");
    const out = await runSource([GSM8K], rejectsPath);
    expect(out.samples).toHaveLength(await countLines(GSM8K));
    expect(out.samples).toHaveLength(116);
    expect(out.samples[7]).toMatchObject({ id: "gsm8k-test-7", at: { file: GSM8K, line: 8 } });
    expect(out.duplicates).toEqual([]);
    expect(out.rejects).toBe(0);
    expect(() => readFileSync(rejectsPath)).toThrow(/ENOENT/);
    expect(out.maxInFlight).toBeLessThanOrEqual(8);
    expect(out.inFlight).toBe(0);
  });

  it("sets bad lines aside with their line numbers, reports duplicates, and goes on", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '\uFEFF{"id":"a","q":1}\r\n\r\n{"id":"b",\r\n[1,2]\r\n{"id":"a","q":2}\r\n{"q":3}');
    const rejectsPath = join(dir, "rejects.jsonl");
    const out = await runSource([bad, "-"], rejectsPath, '{"id":"b"}\n');
    expect(out.samples.map((s) => [s.id, s.at.file, s.at.line])).toEqual([
      ["a", bad, 1],
      ["a", bad, 5],
      [expect.stringMatching(/^h:[0-9a-f]{16}$/), bad, 6],
      ["b", "<stdin>", 1],
    ]);
    expect(out.duplicates).toEqual([{ type: "duplicate-id", id: "a", at: { file: bad, line: 5 }, first: { file: bad, line: 1 } }]);
    const lines = readFileSync(rejectsPath, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { file: bad, line: 3, reason: "invalid JSON at column 11: Expected double-quoted property name", raw: '{"id":"b",' },
      { file: bad, line: 4, reason: "expected a JSON object, got an array", raw: "[1,2]" },
    ]);
  });
});
