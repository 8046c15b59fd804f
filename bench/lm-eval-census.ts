/**
 * Census of lm-evaluation-harness task YAMLs: walks every YAML under a folder (an unpacked lm_eval
 * tree), loads each through streameval's own loader, and prints how many loaded, were refused (grouped
 * by reason) or failed (crashed). Also classifies YAMLs with `!function` hooks by whether every module
 * their Python files import is installed here, which gives the denominator of issue #14's "95% load".
 *
 *   npm run census -- /tmp/lm/lm_eval/tasks [--json FILE] [--examples N]
 */
import { spawnSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../src/errors/index.js";
import { loadTaskRef } from "../src/tasks/group.js";

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.ya?ml$/.test(entry.name)) yield full;
  }
}

/** Reasons are grouped by their text with file-specific parts (backticked names, numbers) kept: keys matter. */
function reasonOf(e: unknown): string {
  if (e instanceof ConfigError) {
    const k = e.where.key;
    const key = k ? `key \`${k.replace(/\[\d+\]/g, "[i]")}\`: ` : "";
    const prefix = e.message.indexOf(": ");
    const bare = e.where.file || k ? e.message.slice(prefix + 2) : e.message;
    return key + bare.replace(/`[^`]*\.ya?ml`|\/\S+\.ya?ml/g, "FILE").replace(/\d+/g, "N").slice(0, 160);
  }
  return String(e);
}

const importCache = new Map<string, boolean>();

/** Top-level modules imported by a Python file (import X / from X import …), relative imports excluded. */
function importsOf(source: string): string[] {
  const mods = new Set<string>();
  for (const m of source.matchAll(/^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))/gm)) {
    const names = m[1] ? [m[1]] : m[2]!.split(",").map((s) => s.trim().split(/\s+/)[0]!);
    for (const n of names) if (n && !n.startsWith(".")) mods.add(n.split(".")[0]!);
  }
  return [...mods];
}

function installed(mod: string, localDir: string): boolean {
  const key = `${localDir}\0${mod}`;
  const hit = importCache.get(mod) ?? importCache.get(key);
  if (hit !== undefined) return hit;
  // A module beside the YAML (utils → utils.py) or in lm_eval itself counts as available with the tree.
  const local = spawnSync("test", ["-e", path.join(localDir, `${mod}.py`)]).status === 0 || mod === "lm_eval";
  if (local) {
    importCache.set(key, true);
    return true;
  }
  const ok = spawnSync("python3", ["-c", `import ${mod}`], { stdio: "ignore" }).status === 0;
  importCache.set(mod, ok);
  return ok;
}

/** `!function M.f` references of a YAML and of the files it includes, each with the folder it resolves from. */
async function hookRefs(file: string, text: string, depth = 0): Promise<{ ref: string; dir: string }[]> {
  const dir = path.dirname(file);
  const out = [...text.matchAll(/!function\s+([\w.]+)\.\w+/g)].map((m) => ({ ref: m[1]!, dir }));
  const include = /^"?include"?:\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (!include || depth > 8) return out;
  const list = include.startsWith("[") ? include.slice(1, -1).split(",") : [include];
  for (const raw of list) {
    const inc = path.resolve(dir, raw.trim().replace(/^["']|["']$/g, ""));
    const incText = await readFile(inc, "utf8").catch(() => "");
    out.push(...(await hookRefs(inc, incText, depth + 1)));
  }
  return out;
}

/** For a YAML using `!function M.f` (itself or through its includes), whether every module each hook file imports is installed. */
async function hooksInstallable(file: string, text: string): Promise<{ hooks: boolean; ok: boolean; missing: string[] }> {
  const refs = await hookRefs(file, text);
  if (refs.length === 0) return { hooks: false, ok: true, missing: [] };
  const missing = new Set<string>();
  const seen = new Set<string>();
  for (const { ref, dir } of refs) {
    if (seen.has(`${dir}\0${ref}`)) continue;
    seen.add(`${dir}\0${ref}`);
    const py = path.join(dir, ...ref.split(".")) + ".py";
    let src: string;
    try {
      src = await readFile(py, "utf8");
    } catch {
      missing.add(`${ref}.py`);
      continue;
    }
    const pyDir = path.dirname(py);
    for (const mod of importsOf(src)) if (!installed(mod, pyDir)) missing.add(mod);
  }
  return { hooks: true, ok: missing.size === 0, missing: [...missing] };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = args.find((a) => !a.startsWith("--"));
  if (!root) {
    console.error("usage: npm run census -- <lm_eval/tasks folder> [--json FILE] [--examples N]");
    process.exit(2);
  }
  const exIdx = args.indexOf("--examples");
  const examples = exIdx >= 0 ? Number(args[exIdx + 1]) : 1;
  const jsonIdx = args.indexOf("--json");
  const rows: { file: string; status: "loaded" | "refused" | "failed"; reason?: string; hooks: boolean; hooksInstallable: boolean; missing: string[]; needsPool?: boolean }[] = [];
  const started = Date.now();
  // A task whose few-shot examples come from a dataset split loads once the user gives that split
  // (--fewshot-file): the census gives a placeholder pool to such tasks and counts them apart.
  const { mkdtemp, writeFile: write } = await import("node:fs/promises");
  const poolFile = path.join(await mkdtemp(path.join((await import("node:os")).tmpdir(), "census-")), "pool.jsonl");
  await write(poolFile, "{}\n".repeat(128));
  const needsPool = (e: unknown) => e instanceof ConfigError && e.where.key === "num_fewshot" && e.message.includes("need a pool");
  for await (const file of walk(path.resolve(root))) {
    const text = await readFile(file, "utf8");
    const h = await hooksInstallable(file, text);
    const rel = path.relative(root, file);
    try {
      let pool = false;
      await loadTaskRef(file, { cwd: root }).catch(async (e: unknown) => {
        if (!needsPool(e)) throw e;
        pool = true;
        return loadTaskRef(file, { cwd: root, fewshotFile: poolFile });
      });
      rows.push({ file: rel, status: "loaded", hooks: h.hooks, hooksInstallable: h.ok, missing: h.missing, ...(pool ? { needsPool: true } : {}) });
    } catch (e) {
      const refused = e instanceof ConfigError;
      rows.push({ file: rel, status: refused ? "refused" : "failed", reason: refused ? reasonOf(e) : String((e as Error).stack ?? e).split("\n").slice(0, 3).join(" | "), hooks: h.hooks, hooksInstallable: h.ok, missing: h.missing });
    }
  }
  const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length;
  const pct = (a: number, b: number) => (b === 0 ? "-" : `${((100 * a) / b).toFixed(1)}%`);
  const denom = rows.filter((r) => r.hooksInstallable);
  console.log(`lm-eval census: ${rows.length} YAMLs under ${root} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`  loaded   ${count((r) => r.status === "loaded")} (of which ${count((r) => r.needsPool === true)} take their few-shot pool from --fewshot-file)`);
  console.log(`  refused  ${count((r) => r.status === "refused")}`);
  console.log(`  failed   ${count((r) => r.status === "failed")}`);
  console.log(`  with !function hooks: ${count((r) => r.hooks)}; of those, hooks importing only installed modules: ${count((r) => r.hooks && r.hooksInstallable)}`);
  const dl = denom.filter((r) => r.status === "loaded").length;
  console.log(`  denominator (no hooks, or hooks importing only installed modules): ${denom.length}; loaded ${dl} (${pct(dl, denom.length)})`);
  const noHooks = rows.filter((r) => !r.hooks);
  const nl = noHooks.filter((r) => r.status === "loaded").length;
  console.log(`  without hooks: ${noHooks.length}; loaded ${nl} (${pct(nl, noHooks.length)})`);
  const groups = new Map<string, string[]>();
  for (const r of rows) if (r.status !== "loaded") groups.set(`${r.status}: ${r.reason}`, [...(groups.get(`${r.status}: ${r.reason}`) ?? []), r.file]);
  console.log("\nnot loaded, by reason (count, example):");
  for (const [reason, files] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`${String(files.length).padStart(6)}  ${reason}`);
    for (const f of files.slice(0, examples)) console.log(`          e.g. ${f}`);
  }
  const missing = new Map<string, number>();
  for (const r of rows) for (const m of r.missing) missing.set(m, (missing.get(m) ?? 0) + 1);
  console.log("\nmodules imported by hooks and not installed (YAMLs):");
  console.log("  " + [...missing].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(", "));
  if (jsonIdx >= 0) {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(args[jsonIdx + 1]!, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  }
}

await main();
