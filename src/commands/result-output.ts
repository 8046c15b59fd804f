import { type ResultEvent, storedJsonOf } from "../events.js";
import { resumedText } from "./resumed-text.js";

/** What a resumed line gets before its last `}`. */
const RESUMED = Buffer.from(',"resumed":true}\n');
const OPEN_BRACE = 0x7b;

/**
 * A run's result lines on their way to its output (`-o FILE` or stdout): the lines of one turn of the event loop
 * are encoded into one buffer and written at the end of the turn, in the order they came.
 *
 * A line resumed from the store is encoded straight from the text LevelDB gave (`storedJsonOf`), with
 * `"resumed":true` put in before its last `}`: the same bytes as `JSON.stringify({ ...line, resumed: true })`
 * (resumedText says why), without a string of the line being made. Making one (the stored JSON cut from the
 * record, then the line with its mark) and encoding it copied each ~900-byte line twice more, about a tenth of a
 * 100,000-line resume's CPU. Other lines are encoded from their text.
 */
export class ResultOutput {
  readonly #write: (bytes: Buffer) => void;
  /** The turn's lines: a whole line's text (at -1), or a stored text whose JSON's members start at `at`. */
  #texts: string[] = [];
  #ats: number[] = [];
  #scheduled = false;

  /** `write` gets each turn's lines as one buffer. */
  constructor(write: (bytes: Buffer) => void) {
    this.#write = write;
  }

  /** A result event's line (marked `"resumed":true` when resumed); `fold` is what the caller folded of it, if anything. */
  add(event: ResultEvent, fold: ResultEvent["fold"]): void {
    const stored = event.json === undefined ? undefined : storedJsonOf(event);
    const text = stored?.text;
    const at = stored?.at;
    if (text !== undefined && at !== undefined && at < text.length - 1 && text.endsWith("}") && !(fold === undefined ? text.includes('"resumed":', at) : Object.hasOwn(fold, "resumed"))) {
      this.#push(text, at);
    } else if (event.json !== undefined) this.#push(resumedText(event.json, fold, () => event.line), -1);
    else this.#push(`${JSON.stringify(event.resumed ? { ...event.line, resumed: true } : event.line)}\n`, -1);
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
    const bytes = Buffer.allocUnsafe(most);
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
    this.#write(bytes.subarray(0, end));
  }

  #push(text: string, at: number): void {
    this.#texts.push(text);
    this.#ats.push(at);
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(() => this.flush());
  }
}
