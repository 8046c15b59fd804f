/**
 * The floor under bench/memory-child.ts: the same N lines (`memoryLine`) made, parsed and handed to a trivial
 * async function, 64 at a time, by plain node with no library. Usage: node .bench/memory-floor.mjs N [json|none]:
 * `json` parses each line with JSON.parse (which interns every string value of up to 10 characters, so the
 * ids and answers fill V8's string table and old generation until a full collection); `none` takes the line's
 * question without parsing. Prints JSON {n, parse, peak_rss_mb}.
 */
import { readFileSync } from "node:fs";
import { digits, memoryLine } from "./memory-line.js";

const n = Number(process.argv[2]);
const parse = process.argv[3] === "none" ? "none" : "json";
let next = 0;
let right = 0;
// Numbers written with `digits`, as bench/memory-child.ts writes them (MEMORY_NUMBERS=template: with `${n}`).
const model = async (question: string) => {
  const answer = digits(Number(/has (\d+)/.exec(question)?.[1]) + 3);
  return `He has ${answer} apples. #### ${answer}`;
};
async function worker(): Promise<void> {
  while (next < n) {
    const text = memoryLine(next++);
    const doc = parse === "json" ? (JSON.parse(text) as { question: string; target: string }) : { question: text, target: "" };
    if ((await model(doc.question)).endsWith(` ${doc.target}`)) right++;
  }
}
await Promise.all(Array.from({ length: 64 }, worker));
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
console.log(JSON.stringify({ n, parse, right, peak_rss_mb: Number(hwm) / 1024 }));
