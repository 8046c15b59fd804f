import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import fc from "fast-check";
import { lastValueFrom, toArray } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Demand, pullSource } from "../../src/io/demand.js";
import { batchesOf, lineBatches, withBatches } from "../../src/io/line-batches.js";
import { openInputs } from "../../src/io/open-inputs.js";
import { pacedBy } from "../../src/io/paced-by.js";
import { BATCH_LINES, readLineBatches, readLines, type SourceLine } from "../../src/io/read-lines.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Batches as given, counting how many were pulled and whether the reading was closed. */
function batched<T>(parts: T[][]) {
  const state = { pulled: 0, returned: false };
  async function* gen(): AsyncGenerator<T[], void, undefined> {
    try {
      for (const p of parts) {
        state.pulled++;
        yield p;
      }
    } finally {
      state.returned = true;
    }
  }
  return { lines: withBatches(gen()), state };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streameval-batches-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("readLineBatches", () => {
  it("gives the lines readLines gives, however the input is chunked, in batches of the lines each chunk completes (up to BATCH_LINES)", async () => {
    const piece = fc.constantFrom('{"a":1}', "", "  ", "\r", "\n", "\r\n", "é", "\u{1F600}", '{"b":"x y"}');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 400 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }), async (pieces, cuts) => {
        const bytes = Buffer.from(pieces.join(""));
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const n = cuts[i % cuts.length]!;
          chunks.push(bytes.subarray(at, at + n));
          at += n;
        }
        const one: SourceLine[] = [];
        for await (const l of readLines(Readable.from(chunks), "f")) one.push(l);
        const batches: SourceLine[][] = [];
        for await (const b of readLineBatches(Readable.from(chunks), "f")) batches.push(b);
        expect(batches.flat()).toEqual(one);
        expect(batches.every((b) => b.length > 0 && b.length <= BATCH_LINES)).toBe(true);
        expect(batches.length).toBeLessThanOrEqual(chunks.length + 1 + Math.floor(one.length / BATCH_LINES));
      }),
      { numRuns: 200 },
    );
  });
});

describe("openInputs in batches", () => {
  it("gives its lines in batches of up to BATCH_LINES under lineBatches, the same lines for await gives", async () => {
    const path = join(dir, "a.jsonl");
    writeFileSync(path, Array.from({ length: 1000 }, (_, i) => `{"n":${i}}\n`).join(""));
    const flat: string[] = [];
    for await (const l of openInputs([path], Readable.from([]))) flat.push(l.text);
    const batches = batchesOf(openInputs([path], Readable.from([])));
    expect(batches).toBeDefined();
    const sizes: number[] = [];
    const texts: string[] = [];
    for await (const b of batches!) {
      sizes.push(b.length);
      texts.push(...b.map((l) => l.text));
    }
    expect(texts).toEqual(flat);
    expect(flat).toHaveLength(1000);
    // One chunk of the file, decoded a batch of BATCH_LINES at a time as they are asked for: the lines of a whole
    // chunk (thousands) made at once outlived V8's young generation while the run worked through them.
    expect(sizes).toEqual([...Array<number>(15).fill(BATCH_LINES), 40]);
  });

  it("has none on a plain async iterable", () => {
    async function* plain() {
      yield 1;
    }
    expect(batchesOf(plain())).toBeUndefined();
    expect(typeof withBatches((async function* () {})())[lineBatches]).toBe("function");
  });
});

describe("pullSource over batches", () => {
  it("emits a batch's items without an async step between them, and never more than `limit` ahead", async () => {
    const demand = new Demand(4);
    const { lines } = batched([[0, 1, 2], [3, 4, 5, 6, 7, 8]]);
    const seen: number[] = [];
    let atFirstMicrotask = -1;
    const sub = pullSource(lines, demand).subscribe((i) => {
      seen.push(i);
      if (seen.length === 1) queueMicrotask(() => (atFirstMicrotask = seen.length));
    });
    for (let k = 0; k < 10; k++) await tick();
    // The first batch went out in one go (one item a turn would show 1 here); the window stopped the second at 4.
    expect(atFirstMicrotask).toBe(3);
    expect(seen).toEqual([0, 1, 2, 3]);
    demand.release(4);
    for (let k = 0; k < 10; k++) await tick();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    sub.unsubscribe();
  });

  it("completes after the last batch with every unit the consumer's, and closes the reading on early unsubscribe", async () => {
    const demand = new Demand(100);
    const whole = batched([["a", "b"], ["c"]]);
    expect(await lastValueFrom(pullSource(whole.lines, demand).pipe(toArray()))).toEqual(["a", "b", "c"]);
    expect(demand.inFlight).toBe(3);

    const small = new Demand(1);
    const part = batched([["a", "b"], ["c"]]);
    const seen: string[] = [];
    const sub = pullSource(part.lines, small).subscribe((x) => seen.push(x));
    for (let k = 0; k < 5; k++) await tick();
    expect(seen).toEqual(["a"]);
    sub.unsubscribe();
    for (let k = 0; k < 5; k++) await tick();
    expect(part.state.returned).toBe(true);
    expect(part.state.pulled).toBe(1);
    // The wait for a unit was withdrawn: nothing taken for "b".
    expect(small.inFlight).toBe(1);
    expect(small.waiting).toBe(0);
  });

  it("errors with the reading's error", async () => {
    async function* failing(): AsyncGenerator<number[], void, undefined> {
      yield [1];
      throw new Error("disk gone");
    }
    const demand = new Demand(10);
    await expect(lastValueFrom(pullSource(withBatches(failing()), demand))).rejects.toThrow("disk gone");
  });
});

describe("pacedBy over batches", () => {
  it("keeps the batches, and takes no next batch while the output is backed up", async () => {
    let finish: (() => void) | undefined;
    const out = new Writable({
      highWaterMark: 4,
      write: (_chunk, _enc, cb) => {
        finish = cb;
      },
    });
    const { lines, state } = batched([[0, 1], [2], [3]]);
    const batches = batchesOf(pacedBy(out, lines));
    expect(batches).toBeDefined();
    expect((await batches!.next()).value).toEqual([0, 1]);
    out.write("12345"); // over the high-water mark: needs drain
    const next = batches!.next();
    for (let i = 0; i < 5; i++) await tick();
    expect(state.pulled).toBe(1);
    finish?.();
    expect((await next).value).toEqual([2]);
    expect(state.pulled).toBe(2);
  });
});
