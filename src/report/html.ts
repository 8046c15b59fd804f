/** Text made safe for HTML content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** A table of `rows` under `head`; cells are escaped text unless given as `{ html }`. */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[], leftColumns = 2): string {
  const cell = (tag: string, c: Cell, i: number) => `<${tag}${i < leftColumns ? ' class="l"' : ""}>${typeof c === "object" && c !== null ? c.html : esc(c ?? "")}</${tag}>`;
  return `<table class="data"><thead><tr>${head.map((h, i) => cell("th", h, i)).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell("td", c, i)).join("")}</tr>`).join("")}</tbody></table>`;
}

export type Cell = string | number | null | undefined | { readonly html: string };
