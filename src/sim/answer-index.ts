/**
 * Finds the correct answer for a prompt among many known questions, fast enough to run on every request.
 *
 * A key matches exactly (a sample id, the whole prompt, or its last user message), or, when it is at least
 * `ANCHOR` characters long, by being contained in the prompt. Containment is found with a rolling hash of
 * each key's first `ANCHOR` characters, scanned from the end of the prompt backwards: the key that starts
 * last wins, because few-shot prompts put the examples first and the question being asked last. The scan
 * usually stops within the last few hundred characters, and never costs more than one pass.
 */

/** Characters of a key that are hashed; shorter keys match exactly only. */
export const ANCHOR = 32;
const BASE = 0x01000193;

export interface AnswerIndex {
  /** Number of keys. */
  readonly size: number;
  /**
   * The answer for the first of `exact` that is a key, else for the key contained in `prompt` that starts
   * last (the longest, when several start there); undefined when none matches.
   */
  find(prompt: string, exact: readonly (string | undefined)[]): string | undefined;
}

/** Builds an index from (key, answer) pairs; a later pair with the same key replaces the earlier. */
export function buildAnswerIndex(entries: Iterable<readonly [string, string]>): AnswerIndex {
  const answers = new Map<string, string>();
  for (const [key, answer] of entries) answers.set(key, answer);
  // anchor hash -> keys (longest first) sharing it
  const anchors = new Map<number, string[]>();
  for (const key of answers.keys()) {
    if (key.length < ANCHOR) continue;
    const h = windowHash(key, 0);
    const list = anchors.get(h);
    if (list) {
      list.push(key);
      list.sort((a, b) => b.length - a.length);
    } else anchors.set(h, [key]);
  }
  const bk1 = power(BASE, ANCHOR - 1);

  const contained = (prompt: string): string | undefined => {
    if (anchors.size === 0 || prompt.length < ANCHOR) return undefined;
    let i = prompt.length - ANCHOR;
    let h = windowHash(prompt, i);
    for (;;) {
      const keys = anchors.get(h);
      if (keys) for (const key of keys) if (prompt.startsWith(key, i)) return answers.get(key);
      if (i === 0) return undefined;
      // H(i) = c[i] + BASE * (H(i+1) - c[i+ANCHOR] * BASE^(ANCHOR-1)), all mod 2^32
      const out = prompt.charCodeAt(i + ANCHOR - 1);
      i--;
      h = (prompt.charCodeAt(i) + Math.imul(BASE, (h - Math.imul(out, bk1)) | 0)) | 0;
    }
  };

  return {
    size: answers.size,
    find(prompt, exact) {
      for (const key of exact) {
        if (key === undefined) continue;
        const a = answers.get(key);
        if (a !== undefined) return a;
      }
      return contained(prompt);
    },
  };
}

/** Σ c[at+j] · BASE^j over one window, mod 2^32 (as a signed 32-bit integer). */
function windowHash(text: string, at: number): number {
  let h = 0;
  for (let j = ANCHOR - 1; j >= 0; j--) h = (Math.imul(h, BASE) + text.charCodeAt(at + j)) | 0;
  return h;
}

function power(base: number, exp: number): number {
  let r = 1;
  for (let k = 0; k < exp; k++) r = Math.imul(r, base);
  return r;
}
