import { constants, openSync } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import { Socket } from "node:net";
import { ConfigError } from "../errors/index.js";
import { fileChunks } from "./file-chunks.js";
import { type BatchedLines, withBatches } from "./line-batches.js";
import { readLineBatches, type ReadLinesOptions, type SourceLine } from "./read-lines.js";

/** The file name lines read from standard input carry. */
export const STDIN_NAME = "<stdin>";

/** File streams read this much at a time: few syscalls, and still a small bound on memory. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The lines of every input, in the order given: each path in turn, `-` for standard input, and
 * standard input alone when `paths` is empty. Lines carry the path as given (`<stdin>` for `-`).
 *
 * Before the first line, every path is checked, so a typo in the last of ten files fails at once and
 * not hours in: a missing, unreadable or directory path is a ConfigError naming it (`-` twice is one
 * too, as standard input can be read only once). Files are opened one at a time, as they are reached,
 * and read on demand (see `readLines`); returning early closes the file being read, and so does
 * `signal` (the run is over: a named pipe's pending read is not waited for).
 *
 * The lines can also be read a chunk at a time (`lineBatches`, see line-batches.ts), as the run's source does.
 */
export function openInputs(paths: readonly string[], stdin: NodeJS.ReadableStream, options: ReadLinesOptions & { readonly signal?: AbortSignal } = {}): BatchedLines<SourceLine> {
  return withBatches(openInputBatches(paths, stdin, options));
}

/** `openInputs`, a batch of lines at a time (`readLineBatches`: the lines one chunk of a file completes). */
async function* openInputBatches(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
  options: ReadLinesOptions & { readonly signal?: AbortSignal },
): AsyncGenerator<SourceLine[], void, undefined> {
  const inputs = paths.length === 0 ? ["-"] : paths;
  if (inputs.filter((p) => p === "-").length > 1) {
    throw new ConfigError("standard input (`-`) is given more than once; it can be read only once");
  }
  for (const path of inputs) if (path !== "-") await checkReadable(path);

  for (const path of inputs) {
    if (path === "-") {
      yield* readLineBatches(stdin, STDIN_NAME, options);
      continue;
    }
    if (options.signal?.aborted) return;
    // A file is read into one reused buffer (file-chunks.ts). A pipe is a stream: a generator's return() waits for a
    // read in progress, which on a pipe may never come, so the signal closes the stream under it instead.
    const stream = (await isFifo(path)) ? await openFifo(path) : undefined;
    const close = () => stream?.destroy();
    options.signal?.addEventListener("abort", close, { once: true });
    try {
      yield* readLineBatches(stream ?? fileChunks(path, READ_CHUNK_BYTES, options.signal), path, options);
    } catch (error) {
      if (options.signal?.aborted) return;
      // The file changed between the check and the read (deleted, permissions).
      throw isFsError(error) ? inputError(path, error) : error;
    } finally {
      options.signal?.removeEventListener("abort", close);
      stream?.destroy();
    }
  }
}

/** Whether `path` is a named pipe (`mkfifo`): read it as a stream, never count its lines up front. */
export async function isFifo(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFIFO();
  } catch {
    return false;
  }
}

/**
 * A named pipe as a non-blocking stream. A file stream would read it in libuv's thread pool, where a
 * read waiting for a writer cannot be cancelled: a stopped run (SIGTERM on `--continuous in.pipe`)
 * could then not exit while a writer kept the pipe open. The blocking open waits for a writer (so a
 * pipe nobody has opened yet is not taken for an empty one); the stream then reads a non-blocking
 * descriptor of it, which closing cancels, and ends when the last writer closes.
 */
async function openFifo(path: string): Promise<Socket> {
  const blocking = await open(path, "r");
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    return new Socket({ fd, readable: true, writable: false });
  } finally {
    await blocking.close();
  }
}

/**
 * The number of non-blank lines in a file, i.e. the number of lines `readLines` yields for it (a
 * progress total). Reads 1 MiB at a time and counts line ends with `Buffer.indexOf`, looking at the
 * bytes of a line only until its first non-blank one; nothing is decoded.
 */
export async function countLines(path: string): Promise<number> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw isFsError(error) ? inputError(path, error) : error;
  }
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let count = 0;
    let content = false;
    let first = true;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      let i = 0;
      if (first && bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      first = false;
      while (i < bytesRead) {
        if (!content) {
          const b = buf[i]!;
          if (b === 0x0a || b === 0x20 || b === 0x09 || b === 0x0d) {
            i++;
            continue;
          }
          content = true;
        }
        const nl = buf.indexOf(0x0a, i);
        if (nl === -1 || nl >= bytesRead) break;
        count++;
        content = false;
        i = nl + 1;
      }
    }
    return content ? count + 1 : count;
  } catch (error) {
    throw isFsError(error) ? inputError(path, error) : error;
  } finally {
    await handle.close();
  }
}

async function checkReadable(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) throw new ConfigError("input is a directory, not a JSONL file", { file: path });
    await access(path, constants.R_OK);
  } catch (error) {
    throw isFsError(error) ? inputError(path, error) : error;
  }
}

type FsError = Error & { code: string };

function isFsError(error: unknown): error is FsError {
  return error instanceof Error && typeof (error as Partial<FsError>).code === "string" && !(error instanceof ConfigError);
}

function inputError(path: string, error: FsError): ConfigError {
  switch (error.code) {
    case "ENOENT":
      return new ConfigError("input file not found", { file: path });
    case "EACCES":
    case "EPERM":
      return new ConfigError("input file is not readable (permission denied)", { file: path });
    case "EISDIR":
      return new ConfigError("input is a directory, not a JSONL file", { file: path });
    default:
      return new ConfigError(`cannot read input file: ${error.message}`, { file: path });
  }
}
