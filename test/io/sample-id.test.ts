import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, contentId, sampleId } from "../../src/io/sample-id.js";

describe("sampleId", () => {
  it("takes a string or number id field as it is", () => {
    expect(sampleId({ id: "gsm8k-test-7" }, "id")).toEqual({ ok: true, id: "gsm8k-test-7" });
    expect(sampleId({ n: 7 }, "n")).toEqual({ ok: true, id: "7" });
    expect(sampleId({ n: 1.5 }, "n")).toEqual({ ok: true, id: "1.5" });
  });

  it("falls back to the content hash when the field is absent (not when it is null)", () => {
    expect(sampleId({ q: "x" }, "id")).toEqual({ ok: true, id: contentId({ q: "x" }) });
    expect(sampleId({ id: null }, "id")).toEqual({ ok: false, reason: "`id` must be a string or a number to be an id, got null" });
  });

  it("refuses other values, naming the key", () => {
    expect(sampleId({ key: { a: 1 } }, "key")).toEqual({ ok: false, reason: "`key` must be a string or a number to be an id, got an object" });
    expect(sampleId({ key: "" }, "key")).toEqual({ ok: false, reason: "`key` is an empty string; an id must not be empty" });
  });

  it("does not read an inherited property as the id field", () => {
    expect(sampleId({ q: 1 }, "toString")).toEqual({ ok: true, id: contentId({ q: 1 }) });
  });
});

describe("contentId", () => {
  it("is h: + the first 16 hex digits of sha1 of the canonical JSON", () => {
    const doc = { b: [3, { z: 1, a: 2 }], a: "é" };
    const canonical = '{"a":"é","b":[3,{"a":2,"z":1}]}';
    expect(canonicalJson(doc)).toBe(canonical);
    expect(contentId(doc)).toBe("h:" + createHash("sha1").update(canonical).digest("hex").slice(0, 16));
  });

  it("is stable across key order and differs when any value differs", () => {
    expect(contentId({ a: 1, b: { c: [1, 2], d: null } })).toBe(contentId({ b: { d: null, c: [1, 2] }, a: 1 }));
    expect(contentId({ a: 1, b: { c: [2, 1], d: null } })).not.toBe(contentId({ a: 1, b: { c: [1, 2], d: null } }));
    expect(contentId({ a: "1" })).not.toBe(contentId({ a: 1 }));
  });
});
