import { type ResultEvent, storedJsonOf } from "../events.js";
import { resumedText } from "./resumed-text.js";

/** What a resumed line gets before its last `}`. */
const RESUMED = Buffer.from(',"resumed":true}\n');
const OPEN_BRACE = 0x7b;
/** Buffers kept for reuse, and the least size one is made with (below it, Buffer takes slices of a shared pool). */
const KEEP = 2;
const LEAST = 64 * 1024;

/**
 * A run's result lines on their way to its output (`-o FILE` or stdout), in the order they came. A line made in the
 * run is written at once, as it was before (a reader of stdout sees it before any report on stderr its result
 * led to: a continuous run's window line). Lines resumed from the store are encoded into one buffer and written
 * at the end of their turn of the event loop, or before the next line made in the run.
 *
 * A resumed line is encoded straight from the text LevelDB gave (`storedJsonOf`), with `"resumed":true` put in
 * before its last `}`: the same bytes as `JSON.stringify({ ...line, resumed: true })` (resumedText says why),
 * without a string of the line being made. Making one (the stored JSON cut from the record, then the line with
 * its mark) and encoding it copied each ~900-byte line twice more, about a tenth of a 100,000-line resume's CPU.
 */
export class ResultOutput {
  readonly #write: (chunk: Buffer | string, done?: () => void) => void;
  /** The turn's lines: a whole line's text (at -1), or a stored text whose JSON's members start at `at`. */
  #texts: string[] = [];
  #ats: number[] = [];
  #scheduled = false;
  /**
   * Buffers written out and given back: a turn's lines are encoded into one of them (a resume writes megabytes a
   * turn: into fresh memory each time, the page faults and frees cost a third as much as the encoding).
   */
  readonly #free: Buffer[] = [];

  /**
   * `write` gets a line made in the run as text, and a turn's resumed lines as one buffer with `done`, to call once it
   * no longer needs the buffer (a stream's write callback).
   */
  constructor(write: (chunk: Buffer | string, done?: () => void) => void) {
    this.#write = write;
  }

  /** A result event's line (marked `"resumed":true` when resumed); `fold` is what the caller folded of it, if anything. */
  add(event: ResultEvent, fold: ResultEvent["fold"]): void {
    const stored = event.json === undefined ? undefined : storedJsonOf(event);
    const text = stored?.text;
    const at = stored?.at;
    if (text !== undefined && at !== undefined && at < text.length - 1 && text.endsWith("}") && !(fold === undefined ? namesResumed(text, at) : Object.hasOwn(fold, "resumed"))) {
      this.#push(text, at);
    } else if (event.json !== undefined) this.#push(resumedText(event.json, fold, () => event.line), -1);
    else if (event.resumed) this.#push(`${JSON.stringify({ ...event.line, resumed: true })}\n`, -1);
    else {
      this.flush();
      this.#write(`${JSON.stringify(event.line)}\n`);
    }
  }

  /** Writes the lines added so far now. */
  flush(): void {
    this.#scheduled = false;
    const texts = this.#texts;
    const ats = this.#ats;
    if (texts.length === 0) return;
    this.#texts = [];
    this.#ats = [];
    // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4).
    let most = 0;
    for (const text of texts) most += text.length * 3 + RESUMED.length;
    const bytes = this.#take(most);
    let end = 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] as string;
      const at = ats[i] as number;
      if (at < 0) {
        end += bytes.write(text, end);
        continue;
      }
      bytes[end++] = OPEN_BRACE;
      // A slice of a flat string is encoded from that string, not copied first.
      end += bytes.write(text.slice(at, -1), end);
      end += RESUMED.copy(bytes, end);
    }
    this.#write(bytes.subarray(0, end), () => this.#give(bytes));
  }

  #take(size: number): Buffer {
    const free = this.#free;
    for (let i = 0; i < free.length; i++) if ((free[i] as Buffer).length >= size) return free.splice(i, 1)[0] as Buffer;
    return Buffer.allocUnsafe(Math.max(size, LEAST));
  }

  /** Keeps the largest few buffers given back. */
  #give(bytes: Buffer): void {
    const free = this.#free;
    if (free.length < KEEP) free.push(bytes);
    else {
      let least = 0;
      for (let i = 1; i < free.length; i++) if ((free[i] as Buffer).length < (free[least] as Buffer).length) least = i;
      if ((free[least] as Buffer).length < bytes.length) free[least] = bytes;
    }
  }

  #push(text: string, at: number): void {
    this.#texts.push(text);
    this.#ats.push(at);
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(() => this.flush());
  }
}

/**
 * Whether `text` from `at` holds `"resumed":` (resumedText says why that tells), found by its tail `umed":`: a
 * search for the whole stops at each of the JSON's many quotes, three times as slow (0.4 µs a line).
 */
function namesResumed(text: string, at: number): boolean {
  for (let i = text.indexOf('umed":', at); i >= 0; i = text.indexOf('umed":', i + 6)) if (text.startsWith('"res', i - 4)) return true;
  return false;
}
