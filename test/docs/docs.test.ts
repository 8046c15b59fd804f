import { existsSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";
import { anchors, codeBlocks, linkTargets, markdownFiles, readText, root, slug } from "./markdown.js";

const files = markdownFiles();

/** The runtime exports of `streameval` or of a subpath (`/cost` …), found through package.json's `exports`. */
async function exportsOf(subpath: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (subpath === undefined) return api;
  const exports = (JSON.parse(readText("package.json")) as { exports?: Record<string, { import?: string }> }).exports ?? {};
  const target = exports[`.${subpath}`]?.import;
  if (!target) return undefined;
  return (await import(join(root, target.replace(/^\.\/dist\//, "src/")))) as Record<string, unknown>;
}

describe("README.md and docs/ stay true to the repository", () => {
  it("README is a short guide: at most 300 lines, with a table of contents", () => {
    const readme = readText("README.md");
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!).filter((h) => h !== "Contents");
    const contents = readme.slice(readme.indexOf("## Contents"), readme.indexOf("\n## ", readme.indexOf("## Contents") + 1));
    expect(sections.length).toBeGreaterThan(5);
    for (const section of sections) expect(contents, `the contents list "${section}"`).toContain(`(#${slug(section)})`);
  });

  it.each(files)("%s: every relative link points at a file (and heading) that exists", (file) => {
    const text = readText(file);
    const broken: string[] = [];
    for (const target of linkTargets(text)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [path = "", anchor] = target.split("#");
      const resolved = path === "" ? file : normalize(join(dirname(file), path));
      if (resolved.startsWith("..")) {
        broken.push(`${target} (outside the repository)`);
        continue;
      }
      if (!existsSync(join(root, resolved))) {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md") && statSync(join(root, resolved)).isFile() && !anchors(readText(resolved)).has(anchor)) {
        broken.push(`${target} (no such heading in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(files)("%s: names no file outside the repository", (file) => {
    const text = readText(file);
    expect(text).not.toMatch(/\.\.\/shared|DESIGN\.md|\/work\//);
  });

  it.each(files)("%s: every command runs from a clone (`npx streameval …`, not a bare `streameval`)", (file) => {
    const bare: string[] = [];
    for (const block of codeBlocks(readText(file)).filter((b) => b.lang === "sh")) {
      for (const line of block.text.split("\n")) {
        if (/(^\s*|[|;&(]\s*)streameval\s/.test(line.replace(/#.*$/, ""))) bare.push(line);
      }
    }
    expect(bare).toEqual([]);
  });

  it("docs/cli.md and docs/simulator.md name every flag of the command line", () => {
    const flags = new Set([...readText("src/cli.ts").matchAll(/(?:\.option|new Option)\("(?:-\w, )?(--[\w-]+)/g)].map((m) => m[1]!));
    const docs = readText("docs/cli.md") + readText("docs/simulator.md");
    expect(flags.size).toBeGreaterThan(40);
    expect([...flags].filter((flag) => !new RegExp(`${flag}(?![\\w-])`).test(docs))).toEqual([]);
  });

  it.each(files)("%s: its models files and routing rules are valid", (file) => {
    const yamls = codeBlocks(readText(file)).filter((b) => b.lang === "yaml");
    for (const block of yamls.filter((b) => b.text.startsWith("models:"))) expect(() => api.parseModelsConfig(block.text, file)).not.toThrow();
    for (const block of yamls.filter((b) => b.text.startsWith("routes:"))) expect(() => api.parseRoutes(block.text, file)).not.toThrow();
  });

  it.each(files)("%s: what its code imports from `streameval` (or a subpath) is exported by the package", async (file) => {
    const missing: string[] = [];
    for (const block of codeBlocks(readText(file)).filter((b) => b.lang === "ts")) {
      for (const m of block.text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"streameval(\/[\w-]+)?"/g)) {
        const entry = await exportsOf(m[2]);
        const names = m[1]!.split(",").map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("type "));
        for (const name of names) if (!entry || !(name.split(/\s+as\s+/)[0]! in entry)) missing.push(`${name} from streameval${m[2] ?? ""}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
