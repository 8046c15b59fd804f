import { execFileSync } from "node:child_process";
import { EMPTY, from, lastValueFrom, throwError, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { stampLine, stampResult } from "../../src/operators/stamp-result.js";
import type { Outcome } from "../../src/work/work-item.js";
import { MEDIA_DATA, type ResultLine } from "../../src/types.js";

const clock = { now: () => 0, epochMs: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678), sleep: async () => undefined } satisfies Clock;
const line = (id: string): ResultLine => ({ id, task: "mmlu", model: "m", repeat: 0, status: "ok", input: "", scores: { acc: 1 } });
const outcome = (id: string, doc: Record<string, unknown>, categoryField?: string) =>
  ({ work: { key: line(id), sample: { id, doc }, task: { config: categoryField ? { category_field: categoryField } : {} }, prepared: { input: "", target: "" } }, line: line(id) }) as unknown as Outcome;

describe("stampResult", () => {
  it("dates each line and adds the doc's category field's value", async () => {
    const out = await lastValueFrom(
      from([outcome("a", { subject: "anatomy" }, "subject"), outcome("b", { subject: 7 }, "subject"), outcome("c", { other: "x" }, "subject"), outcome("d", { subject: "x" })]).pipe(stampResult({ clock }), toArray()),
    );
    expect(out.map((o) => [o.line.id, o.line.category, o.line.ended_at])).toEqual([
      ["a", "anatomy", "2026-01-02T03:04:05.678Z"],
      ["b", "7", "2026-01-02T03:04:05.678Z"],
      ["c", undefined, "2026-01-02T03:04:05.678Z"],
      ["d", undefined, "2026-01-02T03:04:05.678Z"],
    ]);
    expect("category" in out[2]!.line).toBe(false);
  });

  it("keeps the line's other fields and does not change the input outcome", () => {
    const o = outcome("a", { subject: { nested: true } }, "subject");
    const stamped = stampLine(o, 0);
    expect(stamped).toEqual({ ...line("a"), ended_at: "1970-01-01T00:00:00.000Z" });
    expect(o.line.ended_at).toBeUndefined();
  });

  it("lists the sample's media as references: source, type, digest, size; never the inline bytes", () => {
    const image = { type: "image", source: "inline", media_type: "image/png", sha256: "ab".repeat(32), bytes: 67, width: 1, height: 1, detail: "low", [MEDIA_DATA]: "iVBORw0KGgo=" };
    const o = outcome("a", {});
    const withMedia = { ...o, work: { ...o.work, prepared: { input: "", target: "", media: [image] } } } as unknown as Outcome;
    const stamped = stampLine(withMedia, 0);
    expect(stamped.media).toEqual([{ type: "image", source: "inline", media_type: "image/png", sha256: "ab".repeat(32), bytes: 67, width: 1, height: 1 }]);
    expect(JSON.stringify(stamped)).not.toContain("iVBOR");
  });

  it("completes empty, passes errors, and rejects a clock without epochMs when built", async () => {
    expect(await lastValueFrom(EMPTY.pipe(stampResult({ clock }), toArray()))).toEqual([]);
    await expect(lastValueFrom(throwError(() => new Error("boom")).pipe(stampResult({ clock })))).rejects.toThrow("boom");
    expect(() => stampResult({ clock: {} as Clock })).toThrow("Expected `clock` to have an epochMs() method");
  });

  // V8 (Node 20) gives a spread copy with a field added after it a hidden class of its own each time: a new
  // map per line, kept in the old generation, which tripled what a 1M-line run promoted. A child process,
  // for V8's own check (`%HaveSameMap`, behind --allow-natives-syntax).
  it("stamps every line with one hidden class, so a long run does not make a map per line", () => {
    const src = new URL("../../src/operators/stamp-result.ts", import.meta.url).pathname;
    const out = execFileSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", "-e", `
      const { stampLine } = await import(${JSON.stringify(src)});
      const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)");
      const line = (i) => ({ id: "s" + i, task: "gsm8k", model: "m", repeat: 0, status: "ok", input: "q" + i, response: "r" + i, scores: { exact_match: 1 } });
      const outcome = (i) => ({ kind: "done", work: { sample: { id: "s" + i, doc: {} }, task: { config: {} }, prepared: { input: "", target: "" } }, line: line(i) });
      let prev, fresh = 0;
      for (let i = 0; i < 3000; i++) {
        const stamped = stampLine(outcome(i), i);
        if (prev && !sameMap(stamped, prev)) fresh++;
        prev = stamped;
      }
      process.stdout.write(String(fresh));`], { encoding: "utf8" });
    expect(Number(out)).toBe(0);
  });
});
