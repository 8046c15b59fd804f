import { pySplit } from "../../python/str.js";
import { terSegment } from "./tokenize.js";

/**
 * sacrebleu 2.x's corpus TER with lm-eval's settings (`sacrebleu.corpus_ter(preds, refs)`: tercom
 * tokenizer, case-insensitive, not normalized, punctuation kept). Ported from sacrebleu (Apache-2.0),
 * metrics/ter.py and metrics/lib_ter.py, heuristics and tie-breaks included: shifts are searched
 * greedily (at most 1,000 candidates per segment), the edit distance over a beam around the diagonal.
 */
const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;
const MAX_CACHE_SIZE = 10000;
const MAX_SHIFT_CANDIDATES = 1000;
const INFINITY = 1e16;

type Op = "i" | "d" | " " | "s" | "x";
type Cell = readonly [cost: number, op: Op];
type Row = readonly Cell[];

/** One segment's statistics: [edits of the best reference, average reference length]. */
export type TerStats = readonly [number, number];

/** The edit distance to one reference, with sacrebleu's row cache (a trie over hypothesis prefixes). */
class BeamEditDistance {
  readonly #ref: readonly string[];
  readonly #initialRow: Row;
  readonly #emptyRow: Row;
  readonly #cache = new Map<string, { next: Map<string, unknown>; row: Row }>();
  #cacheSize = 0;

  constructor(ref: readonly string[]) {
    this.#ref = ref;
    this.#initialRow = Array.from({ length: ref.length + 1 }, (_, i): Cell => [i, "i"]);
    this.#emptyRow = Array.from({ length: ref.length + 1 }, (): Cell => [INFINITY, "x"]);
  }

  distance(hyp: readonly string[]): [number, string] {
    const [start, cached] = this.#findCache(hyp);
    const [d, rows, trace] = this.#editDistance(hyp, start, cached);
    this.#addCache(hyp, rows);
    return [d, trace];
  }

  #editDistance(h: readonly string[], startH: number, cached: Row[]): [number, Row[], string] {
    const nRef = this.#ref.length;
    const dist: Cell[][] = [...cached.map((r) => [...r]), ...Array.from({ length: h.length - startH }, () => [...this.#emptyRow])];
    const lengthRatio = h.length > 0 ? nRef / h.length : 1;
    const beam = BEAM_WIDTH < lengthRatio / 2 ? Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;
    for (let i = startH + 1; i <= h.length; i++) {
      const diag = Math.floor(i * lengthRatio);
      const minJ = Math.max(0, diag - beam);
      const maxJ = i === h.length ? nRef + 1 : Math.min(nRef + 1, diag + beam);
      const row = dist[i]!;
      const prev = dist[i - 1]!;
      for (let j = minJ; j < maxJ; j++) {
        if (j === 0) {
          row[j] = [prev[j]![0] + 1, "d"];
          continue;
        }
        const same = h[i - 1] === this.#ref[j - 1];
        const ops: Cell[] = [
          [prev[j - 1]![0] + (same ? 0 : 1), same ? " " : "s"],
          [prev[j]![0] + 1, "d"],
          [row[j - 1]![0] + 1, "i"],
        ];
        for (const op of ops) if (row[j]![0] > op[0]) row[j] = op;
      }
    }
    let trace = "";
    let i = h.length;
    let j = nRef;
    while (i > 0 || j > 0) {
      const op = dist[i]![j]![1];
      trace = op + trace;
      if (op === "s" || op === " ") {
        i--;
        j--;
      } else if (op === "i") j--;
      else if (op === "d") i--;
      else throw new Error(`unknown operation ${JSON.stringify(op)}`);
    }
    return [dist[h.length]![nRef]![0], dist.slice(cached.length), trace];
  }

  #addCache(hyp: readonly string[], rows: Row[]): void {
    if (this.#cacheSize >= MAX_CACHE_SIZE) return;
    let node = this.#cache;
    const skip = hyp.length - rows.length;
    for (let i = 0; i < skip; i++) node = node.get(hyp[i]!)!.next as typeof node;
    for (let k = 0; k < rows.length; k++) {
      const word = hyp[skip + k]!;
      if (!node.has(word)) {
        node.set(word, { next: new Map(), row: rows[k]! });
        this.#cacheSize++;
      }
      node = node.get(word)!.next as typeof node;
    }
  }

  #findCache(hyp: readonly string[]): [number, Row[]] {
    let node = this.#cache;
    const rows: Row[] = [this.#initialRow];
    for (const word of hyp) {
      const hit = node.get(word);
      if (!hit) break;
      rows.push(hit.row);
      node = hit.next as typeof node;
    }
    return [rows.length - 1, rows];
  }
}

function traceToAlignment(trace: string): { align: Map<number, number>; refErr: number[]; hypErr: number[] } {
  let posHyp = -1;
  let posRef = -1;
  const align = new Map<number, number>();
  const refErr: number[] = [];
  const hypErr: number[] = [];
  for (const op of trace) {
    if (op === " " || op === "s") {
      posHyp++;
      posRef++;
      align.set(posRef, posHyp);
      const e = op === "s" ? 1 : 0;
      hypErr.push(e);
      refErr.push(e);
    } else if (op === "i") {
      posHyp++;
      hypErr.push(1);
    } else if (op === "d") {
      posRef++;
      align.set(posRef, posHyp);
      refErr.push(1);
    } else throw new Error(`unknown operation ${JSON.stringify(op)}`);
  }
  return { align, refErr, hypErr };
}

function* shiftedPairs(h: readonly string[], r: readonly string[]): Generator<[number, number, number]> {
  for (let sh = 0; sh < h.length; sh++) {
    for (let sr = 0; sr < r.length; sr++) {
      if (Math.abs(sr - sh) > MAX_SHIFT_DIST) continue;
      let length = 0;
      while (h[sh + length] === r[sr + length] && length < MAX_SHIFT_SIZE) {
        length++;
        yield [sh, sr, length];
        if (h.length === sh + length || r.length === sr + length) break;
      }
    }
  }
}

function performShift(words: readonly string[], start: number, length: number, target: number): string[] {
  if (target < start) return [...words.slice(0, target), ...words.slice(start, start + length), ...words.slice(target, start), ...words.slice(start + length)];
  if (target > start + length) return [...words.slice(0, start), ...words.slice(start + length, target), ...words.slice(start, start + length), ...words.slice(target)];
  return [...words.slice(0, start), ...words.slice(start + length, length + target), ...words.slice(start, start + length), ...words.slice(length + target)];
}

const sumRange = (xs: readonly number[], from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < Math.min(to, xs.length); i++) s += xs[i]!;
  return s;
};

const FLIP: Readonly<Record<string, string>> = { i: "d", d: "i" };

/** sacrebleu's `_shift`: the best single shift, as (gain, shifted words, candidates checked so far). */
function bestShift(h: readonly string[], r: readonly string[], ed: BeamEditDistance, checked: number): [number, readonly string[], number] {
  const [pre, invTrace] = ed.distance(h);
  const trace = [...invTrace].map((op) => FLIP[op] ?? op).join("");
  const { align, refErr, hypErr } = traceToAlignment(trace);
  // Python compares the tuples (gain, length, −start_h, −idx): the first greater one wins.
  let best: { key: [number, number, number, number]; words: string[] } | undefined;
  const greater = (a: readonly number[], b: readonly number[]) => {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! > b[k]!;
    return false;
  };
  for (const [sh, sr, length] of shiftedPairs(h, r)) {
    if (sumRange(hypErr, sh, sh + length) === 0) continue;
    if (sumRange(refErr, sr, sr + length) === 0) continue;
    const at = align.get(sr)!;
    if (sh <= at && at < sh + length) continue;
    let prevIdx = -1;
    for (let offset = -1; offset < length; offset++) {
      let idx: number;
      if (sr + offset === -1) idx = 0;
      else if (align.has(sr + offset)) idx = align.get(sr + offset)! + 1;
      else break;
      if (idx === prevIdx) continue;
      prevIdx = idx;
      const shifted = performShift(h, sh, length, idx);
      const key: [number, number, number, number] = [pre - ed.distance(shifted)[0], length, -sh, -idx];
      checked++;
      if (!best || greater(key, best.key)) best = { key, words: shifted };
    }
    if (checked >= MAX_SHIFT_CANDIDATES) break;
  }
  return best ? [best.key[0], best.words, checked] : [0, h, checked];
}

/** sacrebleu's `translation_edit_rate`: (edits, reference length) of a tokenized hypothesis against one tokenized reference. */
export function translationEditRate(hyp: readonly string[], ref: readonly string[]): [number, number] {
  if (ref.length === 0) return [hyp.length, 0];
  const ed = new BeamEditDistance(ref);
  let shifts = 0;
  let input = hyp;
  let checked = 0;
  for (;;) {
    const [delta, next, c] = bestShift(input, ref, ed, checked);
    checked = c;
    if (checked >= MAX_SHIFT_CANDIDATES || delta <= 0) break;
    shifts++;
    input = next;
  }
  return [shifts + ed.distance(input)[0], ref.length];
}

/** The statistics of one hypothesis against its references: the fewest edits, and the mean reference length. */
export function terStats(hypothesis: string, references: readonly string[]): TerStats {
  const hyp = pySplit(terSegment(hypothesis));
  let refLengths = 0;
  let best = INFINITY;
  for (const ref of references) {
    const [edits, len] = translationEditRate(hyp, pySplit(terSegment(ref)));
    refLengths += len;
    if (edits < best) best = edits;
  }
  return [best, refLengths / references.length];
}

/** TER (0 to 100, and above) from summed statistics. */
export function terScore([edits, refLength]: readonly number[]): number {
  if (refLength! > 0) return 100 * (edits! / refLength!);
  return edits! > 0 ? 100 * 1.0 : 0.0;
}
