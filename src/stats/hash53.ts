/**
 * cyrb53 (bryc, public domain): a fast 53-bit string hash, exact in a JS number, so a table of ids
 * (the duplicate detector's) or a filter of keys (the run store's) holds numbers, not copies of the strings.
 */
export function hash53(text: string): number {
  return cyrb53(text, undefined);
}

/**
 * `hash53(\`${a}\u0000${b}\`)` without making that string: a concatenation is a rope that the hash's first
 * character read flattens into a new string, which costs as much again as the hash (the duplicate detector's key).
 */
export function hash53Pair(a: string, b: string): number {
  return cyrb53(a, b);
}

/** cyrb53 of `text`, then, when `more` is given, of U+0000 and `more`: one loop a part, the halves kept in locals. */
function cyrb53(text: string, more: string | undefined): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let part = text;
  for (let rest = more; ; rest = undefined) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    if (rest === undefined) break;
    // The separator, U+0000, then the next part.
    h1 = Math.imul(h1, 2654435761);
    h2 = Math.imul(h2, 1597334677);
    part = rest;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
