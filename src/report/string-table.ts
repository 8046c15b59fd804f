/**
 * Interns strings for the report's sample data: each distinct string is kept once and rows hold its
 * index. A prompt shared by every model of a sample, a target or a category costs one entry.
 */
export class StringTable {
  readonly strings: string[] = [];
  readonly #index = new Map<string, number>();

  /** The string's index; -1 for undefined or null. */
  add(s: string | null | undefined): number {
    if (s === undefined || s === null) return -1;
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.#index.set(s, i);
    }
    return i;
  }

  /** A value as its JSON text, interned; -1 for undefined, null or an empty object. */
  addJson(value: unknown): number {
    if (value === undefined || value === null) return -1;
    if (typeof value === "object" && Object.keys(value).length === 0) return -1;
    return this.add(JSON.stringify(value));
  }
}
