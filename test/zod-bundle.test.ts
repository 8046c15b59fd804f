import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as zod from "zod";
import { zodBundle, zodMembersUsed } from "../scripts/bundle-zod.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every src/ module as the build emits it: JavaScript, types erased. */
async function srcAsJs(): Promise<{ path: string; text: string }[]> {
  const files = (await readdir(`${root}src`, { recursive: true })).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  return Promise.all(
    files.map(async (f) => ({ path: f, text: ts.transpileModule(await readFile(`${root}src/${f}`, "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText })),
  );
}

// dist/zod.js is a bundle of the zod members the package's JavaScript reads (scripts/bundle-zod.mjs): zod's every
// entry loads all its locales, which were live heap in every program importing the package (docs/benchmarks.md).
describe("the package's zod bundle", () => {
  it("holds every member the package's modules read, the same functions' behaviour, and no locale but English", async () => {
    const sources = await srcAsJs();
    const members = await zodMembersUsed(sources);
    for (const m of ["object", "strictObject", "string", "ZodError", "prettifyError", "NEVER"]) expect(members).toContain(m);
    // Types are erased: a type's name (`z.infer`, `z.core`, which would pull in every locale) is not a member read.
    expect(members).not.toContain("infer");
    expect(members).not.toContain("core");
    // Every `z.<name>` the emitted JavaScript reads is in the list when zod has it.
    for (const { text } of sources) {
      if (!text.includes('zod.js"')) continue;
      for (const m of text.matchAll(/\bz\.([A-Za-z_$][\w$]*)/g)) if (m[1]! in zod) expect(members).toContain(m[1]);
    }

    const dir = await mkdtemp(join(tmpdir(), "zod-bundle-"));
    try {
      const text = await zodBundle(members);
      expect(text).not.toMatch(/Ungültige|Nieprawidłow|無効な/);
      await writeFile(join(dir, "zod.mjs"), text);
      const { z } = (await import(pathToFileURL(join(dir, "zod.mjs")).href)) as { z: typeof zod };
      expect(Object.keys(z).sort()).toEqual(members);
      for (const m of members) expect(typeof (z as Record<string, unknown>)[m]).toBe(typeof (zod as Record<string, unknown>)[m]);
      // The same English messages, and a ZodError of either copy is an instance of the other's class.
      const bad = { a: 1.5, u: "nope", e: "q", extra: 1, s: "" };
      const [mine, theirs] = [z, zod].map((api) => api.strictObject({ a: api.int(), u: api.url(), e: api.enum(["x", "y"]), s: api.string().min(1) }).safeParse(bad));
      expect(mine!.success).toBe(false);
      expect(mine!.error!.issues).toEqual(theirs!.error!.issues);
      expect(z.prettifyError(mine!.error!)).toBe(zod.prettifyError(theirs!.error!));
      expect(mine!.error).toBeInstanceOf(zod.ZodError);
      expect(theirs!.error).toBeInstanceOf(z.ZodError);
      // zod keeps its configuration (the locale) on globalThis, shared by every copy: alone in a process, the bundle
      // sets English itself, as the classic API does.
      const alone = spawnSync(process.execPath, ["--input-type=module", "-e", `import { z } from ${JSON.stringify(pathToFileURL(join(dir, "zod.mjs")).href)}; const r = z.strictObject({ a: z.int(), s: z.string() }).safeParse({ a: 1.5, s: 1, extra: 1 }); console.log(JSON.stringify(r.error.issues.map((i) => i.message)));`], { encoding: "utf8" });
      expect(alone.stderr).toBe("");
      expect(JSON.parse(alone.stdout)).toEqual(["Invalid input: expected int, received number", "Invalid input: expected string, received number", 'Unrecognized key: "extra"']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a module that reads `z` other than by a member's name", async () => {
    const text = 'import { z } from "../zod.js";\nconst { object } = z;\nexport const s = object({});\n';
    await expect(zodMembersUsed([{ path: "src/x.js", text }])).rejects.toThrow(/other than as `z.<member>`/);
    expect(await zodMembersUsed([{ path: "src/y.js", text: 'import { z } from "./zod.js";\nexport const s = z.object({ n: z.number() });\n' }])).toEqual(["number", "object"]);
  });
});
