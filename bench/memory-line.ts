/** Line `i` of the memory benchmark's GSM8K-like input (bench/memory-child.ts), made or written to a file. */
export function memoryLine(i: number): string {
  const doc = { id: `s${i}`, question: `Tom has ${i} apples and buys 3 more. How many apples does he have?`, answer: `${i} + 3 = ${i + 3}\n#### ${i + 3}`, target: String(i + 3) };
  return JSON.stringify(doc);
}
