import { parseDocument } from "yaml";
import { readFileSync } from "node:fs";
for (const f of process.argv.slice(2)) {
  const d = parseDocument(readFileSync(f, "utf8"), { version: "1.1", uniqueKeys: false });
  console.log(f, d.errors.map((e) => e.message.split("\n").slice(0, 4).join(" | ")));
}
