/**
 * Memory against a hostile server: every request gets an endless SSE stream of 64 kB content events
 * (no finish_reason, no [DONE]). `streameval run -c 8` over N samples must cut each reply at the
 * byte cap (default 16 MiB), end the sample as an error and go on, with its peak RSS under 500 MB.
 *
 * Usage: tsx bench/hostile-memory.ts [N=40] [extra CLI flags…]. Prints a table; exits 1 over 500 MB
 * or when a sample did not end as `reply_too_large`.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endlessStream, startHostile } from "../test/support/hostile-server.js";
import { cli, printTable, root } from "./lib.js";

const n = Number(process.argv[2] ?? 40);
const extra = process.argv.slice(3);
const dir = mkdtempSync(join(tmpdir(), "hostile-mem-"));
const input = join(dir, "in.jsonl");
writeFileSync(input, Array.from({ length: n }, (_, i) => JSON.stringify({ id: `s${i}`, question: `q${i}`, answer: "1" })).join("\n") + "\n");

const server = await startHostile((_req, res) => endlessStream(res));
const t0 = performance.now();
const child = spawn(process.execPath, [cli, "run", input, "-t", join(root, "test/fixtures/security/short-answer.yaml"), "-m", "m", "--base-url", server.url,
  "-c", "8", "--no-store", "--no-progress", ...extra], { cwd: root, env: { ...process.env, OPENAI_API_KEY: "sk-bench" }, stdio: ["ignore", "pipe", "pipe"] });
let peakKb = 0;
const poll = setInterval(() => {
  try {
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
    if (hwm) peakKb = Math.max(peakKb, Number(hwm));
  } catch {
    // the child has exited
  }
}, 50);
let stdout = "";
let stderr = "";
child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
const [code] = (await once(child, "exit")) as [number | null];
clearInterval(poll);
await server.close();
const results = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { error?: { type?: string } });
const cut = results.filter((r) => r.error?.type === "reply_too_large").length;
const peakMb = peakKb / 1024;
printTable("endless 64 kB SSE stream per request, -c 8", [
  ["samples", "exit", "cut (reply_too_large)", "requests", "peak RSS MB", "wall s"],
  [n, String(code), cut, server.requests(), Math.round(peakMb), (performance.now() - t0) / 1000],
]);
if (cut !== n || peakMb >= 500) {
  console.error(stderr.slice(-2000));
  process.exit(1);
}
