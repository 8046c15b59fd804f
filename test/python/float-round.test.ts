import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pyFloat } from "../../src/python/float.js";
import { PyRandom } from "../../src/python/random.js";
import { pyRound } from "../../src/python/round.js";

/** Python's float(), round() and random.choice against python3 itself on the same inputs. */
function python(code: string, input: unknown): unknown {
  const r = spawnSync("python3", ["-c", code], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("Python number semantics", { timeout: 30_000 }, () => {
  it("float(text): whitespace, underscores, Unicode digits, inf/nan, and what raises", () => {
    const texts = ["1", " 1.5 ", "\u20031e3\n", "1_000", "1__000", "_1", "1_", "1_0.2_5", ".5", "5.", ".", "+3", "-0", "0x10", "1e", "1e+", "١٢٣", "１２", "inf", "-Infinity", "+nan", "NaN", "infinit", "12%", "1,000", "", " ", "1 2", "٣.٥", "1e400", "-1e-400", "0.1e-2_0"];
    const want = python("import json,sys\ndef f(s):\n  try:\n    v=float(s)\n    return repr(v)\n  except ValueError:\n    return None\nprint(json.dumps([f(s) for s in json.load(sys.stdin)]))", texts) as (string | null)[];
    const repr = (v: number | undefined) => (v === undefined ? null : Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : Object.is(v, -0) ? "-0.0" : v);
    texts.forEach((t, i) => {
      const w = want[i];
      expect(repr(pyFloat(t)), JSON.stringify(t)).toEqual(w === null || ["nan", "inf", "-inf", "-0.0"].includes(w!) ? w : Number(w));
    });
  });

  it("round(x, n): exact ties to even, other values to the nearest decimal", () => {
    const rnd = new PyRandom(7);
    const xs = [0.125, 0.375, -0.125, 2.675, 1.005, 0.015625, 0.046875, 2.5, 3.5, -2.5, 1e20 + 0.5, 1e-30, 5e-324, 123456.785, ...Array.from({ length: 200 }, () => (rnd.random() - 0.5) * 10 ** Math.floor(rnd.random() * 8)), ...Array.from({ length: 100 }, (_, k) => k / 64)];
    for (const n of [0, 2, 5]) {
      const want = python(`import json,sys\nprint(json.dumps([round(x, ${n}) for x in json.load(sys.stdin)]))`, xs) as number[];
      xs.forEach((x, i) => expect(pyRound(x, n), `round(${x}, ${n})`).toBe(want[i]));
    }
  });

  it("random.Random(seed).choice draws as CPython's", () => {
    const seeds = [0, 1, 42, 2 ** 40 + 3, 281474976710655];
    const want = python("import json,sys,random\nprint(json.dumps([[random.Random(s).choice('ABCDEFG'[:n]) for n in range(1, 8)] for s in json.load(sys.stdin)]))", seeds) as string[][];
    seeds.forEach((s, i) => expect([1, 2, 3, 4, 5, 6, 7].map((n) => new PyRandom(s).choice("ABCDEFG".slice(0, n)))).toEqual(want[i]));
  });
});
