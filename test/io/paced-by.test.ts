import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { pacedBy } from "../../src/io/paced-by.js";

describe("pacedBy", () => {
  it("does not read the next line while the output is backed up, and resumes on drain", async () => {
    let finish: (() => void) | undefined;
    const out = new Writable({
      highWaterMark: 4,
      write: (_chunk, _enc, cb) => {
        finish = cb;
      },
    });
    let pulled = 0;
    async function* lines() {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield i;
      }
    }
    const it = pacedBy(out, lines());
    expect((await it.next()).value).toBe(0);
    out.write("12345"); // over the high-water mark: needs drain
    const next = it.next();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(pulled).toBe(1);
    finish?.();
    expect((await next).value).toBe(1);
    expect(pulled).toBe(2);
  });
});
