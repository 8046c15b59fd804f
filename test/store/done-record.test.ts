import { describe, expect, it } from "vitest";
import { decodeDone, encodeDone } from "../../src/store/done-record.js";
import { resumedText } from "../../src/commands/resumed-text.js";
import { outcomeSource, recordSource, textHash } from "../../src/operators/record-source.js";
import { parseTask } from "../../src/tasks/load.js";
import type { ResultLine } from "../../src/types.js";
import type { Outcome } from "../../src/work/work-item.js";

const line: ResultLine = { id: "q1", task: "t", model: "m", repeat: 0, status: "ok", input: 'say "hi"\n', response: "ok", scores: { acc: 1 } };

describe("done records", () => {
  it("keep the source as the JSON's first key and give back the line's JSON as it was", () => {
    const json = JSON.stringify(line);
    const stored = encodeDone(json, "abc.def");
    expect(JSON.parse(stored)).toEqual({ record_source: "abc.def", ...line });
    expect(decodeDone(stored)).toEqual({ source: "abc.def", json });
    expect(JSON.parse(decodeDone(stored).json)).toEqual(line);
  });

  it("read a record without a source (an older store) as it is", () => {
    const json = JSON.stringify(line);
    expect(encodeDone(json, undefined)).toBe(json);
    expect(decodeDone(json)).toEqual({ json });
    expect(decodeDone(encodeDone("{}", "s"))).toEqual({ source: "s", json: "{}" });
  });
});

describe("resumedText", () => {
  it("is JSON.stringify of the line marked resumed, made from the stored JSON", () => {
    expect(resumedText(JSON.stringify(line), line)).toBe(`${JSON.stringify({ ...line, resumed: true })}\n`);
    const odd = { ...line, resumed: false } as unknown as ResultLine;
    expect(resumedText(JSON.stringify(odd), odd)).toBe(`${JSON.stringify({ ...odd, resumed: true })}\n`);
  });
});

describe("record sources", () => {
  const task = parseTask('task: t\noutput_type: generate_until\ndoc_to_text: "{{q}}"\ndoc_to_target: "{{a}}"\n', "t.yaml");
  const outcome = (media: boolean): Outcome => ({
    kind: "done",
    line,
    work: { key: { task: "t", id: "q1", model: "m", repeat: 0 }, sample: { id: "q1", doc: { q: "x", a: "y" }, at: { file: "f", line: 1 }, textHash: textHash('{"q":"x"}') }, task, prepared: { input: "x", target: "y", ...(media ? { media: [{ type: "image", source: "/a.png" }] } : {}) } as never, repeats: 1, done: () => undefined },
  });

  it("name the task's render digest and settings and the line's text", () => {
    const source = recordSource(task, textHash("a"));
    expect(source).toMatch(/^[\w-]{16}\.[\w-]{24}$/);
    expect(recordSource(task, textHash("b"))).not.toBe(source);
    expect(recordSource({ ...task, generation: { ...task.generation, temperature: 1 } }, textHash("a"))).not.toBe(source);
    expect(recordSource({ ...task, renderDigest: undefined }, textHash("a"))).toBeUndefined();
    expect(recordSource(task, undefined)).toBeUndefined();
  });

  it("are not kept for a sample that sent media (files read by path) nor for an error", () => {
    expect(outcomeSource(outcome(false))).toMatch(/\./);
    expect(outcomeSource(outcome(true))).toBeUndefined();
    expect(outcomeSource({ ...outcome(false), line: { ...line, status: "error" } })).toBeUndefined();
  });
});
