import { PassThrough, Writable } from "node:stream";
import type { CommandIO } from "../../src/commands/run-command.js";

/** A CommandIO that keeps what commands write, for in-process command tests. */
export function memoryIO(): CommandIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdin: new PassThrough(),
    stdout: new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }),
    stderr: new Writable({ write: (c: Buffer, _e, cb) => ((err += c.toString()), cb()) }),
    stderrIsTTY: false,
    out: () => out,
    err: () => err,
  };
}
