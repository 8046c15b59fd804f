import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeDone, encodeDone, encodeDoneLine } from "../../src/store/done-record.js";
import { deferredResult, foldOf, resumedResult } from "../../src/events.js";
import { resumedText } from "../../src/commands/resumed-text.js";
import { outcomeSource, recordSource, textHash } from "../../src/operators/record-source.js";
import { parseTask } from "../../src/tasks/load.js";
import { type ResultLine, UNFOLDED_KEYS } from "../../src/types.js";
import type { Outcome } from "../../src/work/work-item.js";

const line: ResultLine = { id: "q1", task: "t", model: "m", repeat: 0, status: "ok", input: 'say "hi"\n', response: "ok", scores: { acc: 1 } };

/** A decoded record without where its JSON lies in the stored text, checking that it does lie there. */
function cut(record: ReturnType<typeof decodeDone>, stored: string): object {
  const { text, at, ...rest } = record;
  if (text !== undefined) {
    expect(text).toBe(stored);
    expect(`{${text.slice(at)}`).toBe(record.json);
  } else expect(at).toBeUndefined();
  return rest;
}

describe("done records", () => {
  it("keep the source as the JSON's first key and give back the line's JSON as it was", () => {
    const json = JSON.stringify(line);
    const stored = encodeDone(json, "abc.def");
    expect(JSON.parse(stored)).toEqual({ record_source: "abc.def", ...line });
    expect(cut(decodeDone(stored), stored)).toEqual({ source: "abc.def", json });
    expect(JSON.parse(decodeDone(stored).json)).toEqual(line);
  });

  it("keep a source that names the line's position (few-shot examples drawn by position)", () => {
    const json = JSON.stringify(line);
    expect(cut(decodeDone(encodeDone(json, "abc.def@12")), encodeDone(json, "abc.def@12"))).toEqual({ source: "abc.def@12", json });
    expect(decodeDone(encodeDoneLine(line, "abc.def@12")).source).toBe("abc.def@12");
  });

  it("say where the line's fold lies: its JSON without input, response, target … (record_fold), the line's JSON as JSON.stringify makes it", () => {
    const stored = encodeDoneLine({ ...line, filtered: { x: "1" }, usage: { prompt_tokens: 3, completion_tokens: 1 }, fingerprint: "sha256:ab", ended_at: "2026-01-01T00:00:00Z" }, "abc.def");
    const parsed = JSON.parse(stored) as Record<string, unknown>;
    expect(parsed.record_source).toBe("abc.def");
    expect(parsed.record_fold).toMatch(/^\d+-\d+(\.\d+-\d+)*$/);
    const record = decodeDone(stored);
    expect(record.source).toBe("abc.def");
    expect(JSON.parse(record.json)).toEqual({ ...line, filtered: { x: "1" }, usage: { prompt_tokens: 3, completion_tokens: 1 }, fingerprint: "sha256:ab", ended_at: "2026-01-01T00:00:00Z" });
    expect(JSON.parse(record.fold!)).toEqual({ id: "q1", task: "t", model: "m", repeat: 0, status: "ok", scores: { acc: 1 }, usage: { prompt_tokens: 3, completion_tokens: 1 } });
  });

  it("give back, for any line, its JSON.stringify and a fold that is the line without UNFOLDED_KEYS, in order", () => {
    const key = fc.oneof(fc.constantFrom(...UNFOLDED_KEYS, "id", "task", "scores", "usage", "timing", "sample", "resumed", "0", "12"), fc.string());
    const value = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(Number.NaN), fc.string({ unit: fc.constantFrom("a", '"', "\\", "\n", "é", "😀", "-", ".") }));
    fc.assert(
      fc.property(fc.dictionary(key, value), fc.constantFrom("abc.def", "s-1_x.y@3"), (object, source) => {
        const stored = encodeDoneLine(object, source);
        expect(() => JSON.parse(stored)).not.toThrow();
        const record = decodeDone(stored);
        expect(record.source).toBe(source);
        expect(record.json).toBe(JSON.stringify(object));
        cut(record, stored);
        const whole = JSON.parse(record.json) as Record<string, unknown>;
        const kept = Object.fromEntries(Object.entries(whole).filter(([k]) => !UNFOLDED_KEYS.has(k)));
        const fold = record.fold === undefined ? whole : (JSON.parse(record.fold) as Record<string, unknown>);
        expect(fold).toEqual(kept);
        expect(Object.keys(fold)).toEqual(Object.keys(kept));
        if (Object.keys(whole).some((k) => UNFOLDED_KEYS.has(k))) expect(record.fold).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it("read a record with a source and no fold (written before record_fold) as before: the line is its own fold", () => {
    const json = JSON.stringify(line);
    const record = decodeDone(encodeDone(json, "abc.def"));
    expect(cut(record, encodeDone(json, "abc.def"))).toEqual({ source: "abc.def", json });
    expect(record.fold).toBeUndefined();
  });

  it("read a record without a source (an older store) as it is", () => {
    const json = JSON.stringify(line);
    expect(encodeDone(json, undefined)).toBe(json);
    expect(decodeDone(json)).toEqual({ json });
    expect(decodeDone(encodeDone("{}", "s"))).toEqual({ source: "s", json: "{}" });
  });
});

describe("resumed result events", () => {
  it("decode their line from the stored JSON only when it is read, and fold from `fold`", () => {
    const json = JSON.stringify({ ...line, ended_at: "x" });
    const fold = JSON.parse(decodeDone(encodeDoneLine(JSON.parse(json) as ResultLine, "a.b")).fold!) as ResultLine;
    const event = resumedResult(json, fold);
    expect(typeof Object.getOwnPropertyDescriptor(event, "line")?.get).toBe("function");
    expect(foldOf(event)).toBe(fold);
    expect(fold).not.toHaveProperty("input");
    expect(event.line).toEqual(JSON.parse(json));
    expect(event.line).toBe(event.line);
    // An event copied or written out carries its line, as any result event does.
    expect({ ...event }.line).toEqual(JSON.parse(json));
    expect(JSON.parse(JSON.stringify(event))).toEqual({ type: "result", resumed: true, json, fold, line: JSON.parse(json) });
    const given = JSON.parse(json) as ResultLine;
    expect(resumedResult(json, given, given).line).toBe(given);
  });
});

describe("deferred result events", () => {
  it("read their fold from the record only when it is read: its fold's JSON, or its line where it has none", () => {
    const full = { ...line, ended_at: "x" };
    const stored = encodeDoneLine(full, "a.b");
    let reads = 0;
    const record = decodeDone(stored);
    const counted = {
      json: record.json,
      get fold() {
        reads++;
        return record.fold;
      },
    };
    const event = deferredResult(counted, 7);
    expect(event).toMatchObject({ type: "result", resumed: true, deferred: true, seq: 7, json: JSON.stringify(full) });
    expect(reads).toBe(0);
    expect(foldOf(event)).toEqual(JSON.parse(record.fold!));
    expect(foldOf(event)).not.toHaveProperty("input");
    expect(event.fold).toBe(event.fold);
    expect(reads).toBe(1);
    expect(event.line).toEqual(full);
    const older = deferredResult(decodeDone(encodeDone(JSON.stringify(full), "a.b")), 8);
    expect(older.fold).toEqual(full);
  });
});

describe("resumedText", () => {
  it("is JSON.stringify of the line marked resumed, made from the stored JSON", () => {
    expect(resumedText(JSON.stringify(line), line)).toBe(`${JSON.stringify({ ...line, resumed: true })}\n`);
    const odd = { ...line, resumed: false } as unknown as ResultLine;
    expect(resumedText(JSON.stringify(odd), odd)).toBe(`${JSON.stringify({ ...odd, resumed: true })}\n`);
  });

  it("without a fold, tells a member named resumed from the word in a string by the JSON alone", () => {
    expect(resumedText(JSON.stringify(line), undefined)).toBe(`${JSON.stringify({ ...line, resumed: true })}\n`);
    const odd = { ...line, resumed: false } as unknown as ResultLine;
    expect(resumedText(JSON.stringify(odd), undefined, () => odd)).toBe(`${JSON.stringify({ ...odd, resumed: true })}\n`);
    const quoted = { ...line, response: '{"resumed": false, "resumed":1}' };
    expect(resumedText(JSON.stringify(quoted), undefined)).toBe(`${JSON.stringify({ ...quoted, resumed: true })}\n`);
  });
});

describe("record sources", () => {
  const task = parseTask('task: t\noutput_type: generate_until\ndoc_to_text: "{{q}}"\ndoc_to_target: "{{a}}"\n', "t.yaml");
  const outcome = (media: boolean): Outcome => ({
    kind: "done",
    line,
    work: { key: { task: "t", id: "q1", model: "m", repeat: 0 }, sample: { id: "q1", doc: { q: "x", a: "y" }, at: { file: "f", line: 1 }, textHash: textHash('{"q":"x"}') }, task, prepared: { input: "x", target: "y", ...(media ? { media: [{ type: "image", source: "/a.png" }] } : {}) } as never, repeats: 1, done: () => undefined },
  });

  const sampleOf = (text: string | undefined, line = 1) => ({ id: "q", doc: {}, at: { file: "f", line }, ...(text === undefined ? {} : { textHash: textHash(text) }) });

  it("name the task's render digest and settings and the line's text", () => {
    const source = recordSource(task, sampleOf("a"));
    // The line's hash is its xxHash64 (16 hex digits); older versions wrote 24 base64url characters of its sha256.
    expect(source).toMatch(/^[\w-]{16}\.[0-9a-f]{16}$/);
    expect(recordSource(task, sampleOf("b"))).not.toBe(source);
    expect(recordSource({ ...task, generation: { ...task.generation, temperature: 1 } }, sampleOf("a"))).not.toBe(source);
    expect(recordSource({ ...task, renderDigest: undefined }, sampleOf("a"))).toBeUndefined();
    expect(recordSource(task, sampleOf(undefined))).toBeUndefined();
    // The line's position counts only where the prompt depends on it.
    expect(recordSource(task, sampleOf("a", 9))).toBe(source);
  });

  it("name the line's position too when few-shot examples are drawn by position (lm-eval's default sampler)", () => {
    const pool = JSON.stringify([{ q: "1", a: "2" }, { q: "3", a: "4" }, { q: "5", a: "6" }]);
    const drawn = parseTask(`task: t\noutput_type: generate_until\ndoc_to_text: "{{q}}"\ndoc_to_target: "{{a}}"\nnum_fewshot: 1\nfewshot_config:\n  samples: ${pool}\n`, "t.yaml");
    const firstN = parseTask(`task: t\noutput_type: generate_until\ndoc_to_text: "{{q}}"\ndoc_to_target: "{{a}}"\nnum_fewshot: 1\nfewshot_config:\n  sampler: first_n\n  samples: ${pool}\n`, "t.yaml");
    expect(drawn.fewshotByPosition).toBe(true);
    expect(recordSource(drawn, sampleOf("a", 1))).toMatch(/@0$/);
    expect(recordSource(drawn, sampleOf("a", 1))).not.toBe(recordSource(drawn, sampleOf("a", 2)));
    expect(firstN.fewshotByPosition).toBeUndefined();
    expect(recordSource(firstN, sampleOf("a", 1))).toBe(recordSource(firstN, sampleOf("a", 2)));
  });

  it("are not kept for a sample that sent media (files read by path) nor for an error", () => {
    expect(outcomeSource(outcome(false))).toMatch(/\./);
    expect(outcomeSource(outcome(true))).toBeUndefined();
    expect(outcomeSource({ ...outcome(false), line: { ...line, status: "error" } })).toBeUndefined();
  });
});
