/** The end of a judge's reply, one line, for an error message that says what the judge wrote. */
export function replyTail(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat === "" ? "empty reply" : JSON.stringify(flat.length > 120 ? `…${flat.slice(-120)}` : flat);
}
