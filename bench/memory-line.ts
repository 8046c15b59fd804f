/**
 * Line `i` of the memory benchmark's GSM8K-like input (bench/memory-child.ts), made or written to a file, and the
 * digits its programs write numbers with.
 *
 * `digits` formats with `toFixed(0)`, which V8 does not put in its number-string cache: `${n}` and `String(n)` keep
 * the last 16,384 numbers made strings there, the cache is a root for every scavenge, and so a program that makes a
 * new one a line has each of them promoted: 24 MB of old-generation garbage over a million lines, the program's
 * and not the library's, which V8 collects or not before the peak depending on when its full collections fall
 * (docs/benchmarks.md, "What is promoted"). MEMORY_NUMBERS=template formats with `${n}` instead, to measure that.
 */
export const digits: (n: number) => string = process.env.MEMORY_NUMBERS === "template" ? (n) => `${n}` : (n) => n.toFixed(0);

export function memoryLine(i: number): string {
  const doc = { id: `s${digits(i)}`, question: `Tom has ${digits(i)} apples and buys 3 more. How many apples does he have?`, answer: `${digits(i)} + 3 = ${digits(i + 3)}\n#### ${digits(i + 3)}`, target: digits(i + 3) };
  return JSON.stringify(doc);
}
