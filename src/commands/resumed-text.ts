import type { ResultFold, ResultLine } from "../types.js";

/**
 * A resumed line's output text from its JSON as stored: the same text as `JSON.stringify({ ...line, resumed:
 * true })` plus a newline (the store wrote the JSON with JSON.stringify, and `resumed` goes last), without
 * encoding the line again. A stored line naming `resumed` itself is encoded again (`line` gives it whole;
 * `fold`, the line or its fold, says whether it does; without one, a JSON with no `"resumed":` anywhere has no
 * such member: JSON.stringify writes a member's name so, and escapes a string's quotes).
 */
export function resumedText(json: string, fold: ResultFold | undefined, line: () => ResultLine = () => fold as ResultLine): string {
  const named = fold === undefined ? json.includes('"resumed":') : Object.hasOwn(fold, "resumed");
  if (!named && json.endsWith("}")) return `${json.slice(0, -1)}${json.length > 2 ? "," : ""}"resumed":true}\n`;
  return `${JSON.stringify({ ...line(), resumed: true })}\n`;
}
