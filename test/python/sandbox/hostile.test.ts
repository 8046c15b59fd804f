import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeSandbox, createCodeSandbox } from "../../../src/python/sandbox/code-sandbox.js";
import type { Isolation } from "../../../src/python/sandbox/verdict.js";

// Hostile programs, each a real subprocess through the real launcher. Small limits keep them fast.
const SECRET = "sk-test-SANDBOX-secret-4242";
const MARKER = "streameval-hostile-marker-7f3a";
let sandbox: CodeSandbox;
let isolation: Isolation;
let dir: string;
let listener: Server;
let port: number;
let connections = 0;

// The launcher makes each program's folder under TMPDIR: this test's own, so parallel test files do not count.
const sandboxFolders = async () => (await readdir(dir)).filter((n) => n.startsWith("streameval-code-"));

/** Processes whose command line holds the marker: what a fork bomb would leave behind. */
async function markedProcesses(): Promise<number> {
  let n = 0;
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(MARKER)) n++;
  }
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-hostile-"));
  sandbox = createCodeSandbox({ limits: { timeoutS: 1, memoryMb: 512, maxProcs: 8 }, concurrency: 4, env: { ...process.env, OPENAI_API_KEY: SECRET, TMPDIR: dir } });
  isolation = await sandbox.probe();
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("the code execution sandbox against hostile programs", { timeout: 60_000 }, () => {
  it("fails each hostile program, contains it, and then runs the next program normally", async () => {
    const sentinel = join(dir, "sentinel.txt");
    const programs = {
      infiniteLoop: "while True:\n    pass",
      // posix.fork, since HF's reliability guard sets os.fork to None; each child becomes a marked sleeper.
      forkBomb: `import posix, sys\nwhile True:\n    try:\n        if posix.fork() == 0:\n            posix.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)  # ${MARKER}"])\n    except OSError:\n        pass`,
      allocate10GB: "x = bytearray(10 * 1024 ** 3)",
      writeOutside: `open(${JSON.stringify(sentinel)}, "w").write("escaped")`,
      readKeys: `import os, glob\nseen = [k for k, v in os.environ.items() if "${SECRET}" in v or k.endswith("_API_KEY")]\nfor f in glob.glob("/proc/*/environ"):\n    try:\n        if b"${SECRET}" in open(f, "rb").read(): seen.append(f)\n    except OSError:\n        pass\nassert not seen, "found keys"\nraise RuntimeError("no keys to see")`,
      print1GB: "chunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    print(chunk)",
      connect: `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=1).close()`,
    };
    const started = Date.now();
    const verdicts = Object.fromEntries(await Promise.all(Object.entries(programs).map(async ([name, program]) => [name, await sandbox.run(program)] as const)));
    const elapsed = Date.now() - started;

    for (const [name, v] of Object.entries(verdicts)) expect(v.passed, `${name}: ${v.result}`).toBe(false);
    expect(verdicts.infiniteLoop!.result).toBe("timed out");
    expect(verdicts.allocate10GB!.result).toBe("failed: ");
    expect(existsSync(sentinel)).toBe(false);
    // Not a leak: the program found no key and said so by raising its own error.
    expect(verdicts.readKeys!.result).toBe("failed: no keys to see");
    expect(verdicts.print1GB!.result).toMatch(/^failed: .*output limit exceeded/);
    if (isolation.namespaces.includes("net")) {
      expect(verdicts.connect!.result).toMatch(/^failed: .*(unreachable|refused)/i);
      expect(connections).toBe(0);
    }
    // Every limit is seconds, not minutes: the wall-clock kill is at timeout + 2 s.
    expect(elapsed).toBeLessThan(20_000);

    // Nothing left behind: no process of the fork bomb, no sandbox folder.
    expect(await markedProcesses()).toBe(0);
    expect(await sandboxFolders()).toEqual([]);

    const ok = await sandbox.run("def add(a, b):\n    return a + b\n\nassert add(2, 3) == 5");
    expect(ok).toMatchObject({ passed: true, result: "passed" });
  });

  it("keeps HF evaluate's verdict strings for ordinary failures", async () => {
    const [assertion, error, exit] = await Promise.all([
      sandbox.run("assert 1 == 2, 'wrong'"),
      sandbox.run("1 / 0"),
      sandbox.run("exit(0)"), // HF's guard sets exit to None
    ]);
    expect(assertion.result).toBe("failed: wrong");
    expect(error.result).toBe("failed: division by zero");
    expect(exit.result).toBe("failed: 'NoneType' object is not callable");
  });
});
