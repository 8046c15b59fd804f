/**
 * Replaces dist/zod.js (src/zod.ts: `export * as z from "zod"`) with a bundle of only the members of zod's classic
 * API that the package's JavaScript uses (`z.object`, `z.string` …), tree-shaken by esbuild. Each of zod's entries
 * (classic, mini, core) imports all of its locales; the classic API sets English alone, so the rest were live heap
 * in every program that imports the package (zod 3.2 MB after import, this bundle 1.1 MB; docs/benchmarks.md).
 * The members are zod's own code: the same schemas, the same English messages, and ZodError's `instanceof` holds
 * across copies (zod's classes test their traits). Run by `npm run build` after tsc, before bundle-cli.mjs.
 */
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));

/** A module that imports the package's zod module (`import { z } from "./zod.js"`, any depth). */
const importsZod = /^import \{ z \} from "(?:\.\.?\/)+zod\.js";$/m;

/**
 * The members of zod's namespace that the given JavaScript sources read as `z.<member>`, sorted, found in each
 * source's syntax tree (TypeScript's parser). Only sources that import the package's zod module count; names zod
 * does not export are left out. A source that uses an identifier `z` other than by a member's name (`z[key]`,
 * `const { object } = z`, passing `z` on, another variable named `z`) could read any member, so it is an error:
 * the bundle could miss what it reads.
 */
export async function zodMembersUsed(sources) {
  const zod = await import(pathToFileURL(join(root, "node_modules/zod/index.js")).href);
  const used = new Set();
  for (const { path, text } of sources) {
    if (!importsZod.test(text)) continue;
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const visit = (node) => {
      if (ts.isImportDeclaration(node)) return;
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "z") {
        if (node.name.text in zod) used.add(node.name.text);
        return;
      }
      if (ts.isIdentifier(node) && node.text === "z" && !isMemberName(node)) {
        const { line, character } = file.getLineAndCharacterOfPosition(node.getStart());
        throw new Error(`${path}:${line + 1}:${character + 1}: uses \`z\` other than as \`z.<member>\`; bundle-zod.mjs cannot tell which members it reads`);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return [...used].sort();
}

/** `z` as a name that is not the variable: `x.z`, `{ z: 1 }`, `class { z() {} }`. */
function isMemberName(node) {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && parent.name === node);
}

/** The ES module text of a bundle exporting `z` with `members` of zod's classic API (zod from node_modules). */
export async function zodBundle(members) {
  const entry = `import * as zod from "zod";\nexport const z = Object.freeze({ ${members.map((m) => `${JSON.stringify(m)}: zod[${JSON.stringify(m)}]`).join(", ")} });\n`;
  const out = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "zod-members.js", loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    // No comments or indentation: V8 keeps a module's source text for as long as the process lives.
    minifyWhitespace: true,
    legalComments: "none",
    banner: { js: "// zod (MIT License, Copyright (c) 2025 Colin McDonnell), the members the package uses: scripts/bundle-zod.mjs" },
    logLevel: "warning",
  });
  return out.outputFiles[0].text;
}

/** Every .js file under `dir`, but not under `skip`. */
async function jsFiles(dir, skip) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== skip) files.push(...(await jsFiles(path, skip)));
    } else if (entry.name.endsWith(".js")) files.push(path);
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = join(root, "dist");
  const sources = await Promise.all((await jsFiles(dist, join(dist, "bundle"))).map(async (path) => ({ path, text: await readFile(path, "utf8") })));
  const members = await zodMembersUsed(sources);
  await writeFile(join(dist, "zod.js"), await zodBundle(members));
  await rm(join(dist, "zod.js.map"), { force: true });
}
