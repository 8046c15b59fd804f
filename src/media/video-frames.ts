import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TaskInputError } from "../errors/task-input-error.js";

const run = promisify(execFile);

/** Frames taken from a video when `--video-frames` is not given. */
export const DEFAULT_VIDEO_FRAMES = 8;

const NO_FFMPEG = "video input needs ffmpeg and ffprobe on PATH (install ffmpeg; --video-frames N sets how many frames are sent)";

/**
 * A video's size and length, read with ffprobe when the sample is prepared (so its frames' tokens
 * can be counted before anything is sent). Throws a TaskInputError when ffprobe is missing or
 * cannot read the file.
 */
export function probeVideo(path: string, key: string): { width?: number; height?: number; duration_s: number } {
  const out = spawnSync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height:format=duration", "-of", "json", path], { encoding: "utf8", timeout: 30_000 });
  if (out.error) throw new TaskInputError((out.error as NodeJS.ErrnoException).code === "ENOENT" ? NO_FFMPEG : `${key}: ffprobe failed on ${path}: ${out.error.message}`, key);
  if (out.status !== 0) throw new TaskInputError(`${key}: ffprobe cannot read ${path}: ${out.stderr.trim().split("\n").at(-1) ?? `exit ${out.status}`}`, key);
  const info = JSON.parse(out.stdout) as { streams?: { width?: number; height?: number }[]; format?: { duration?: string } };
  const duration = Number(info.format?.duration);
  if (!(duration > 0)) throw new TaskInputError(`${key}: ${path} has no video stream with a duration`, key);
  const s = info.streams?.[0];
  return { ...(s?.width ? { width: s.width } : {}), ...(s?.height ? { height: s.height } : {}), duration_s: duration };
}

/**
 * `count` frames spread evenly over a video, as PNG bytes in time order (ffmpeg writes them to a
 * temporary folder, removed before this returns). Rejects with a clear message when ffmpeg is missing.
 */
export async function videoFrames(path: string, durationS: number, count: number): Promise<Buffer[]> {
  const dir = await mkdtemp(join(tmpdir(), "streameval-frames-"));
  try {
    const fps = count / durationS;
    try {
      await run("ffmpeg", ["-v", "error", "-nostdin", "-i", path, "-vf", `fps=${fps}`, "-frames:v", String(count), join(dir, "f%04d.png")], { timeout: 120_000 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error(NO_FFMPEG, { cause: e });
      throw new Error(`ffmpeg could not take frames from ${path}: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`, { cause: e });
    }
    const names = (await readdir(dir)).filter((n) => n.endsWith(".png")).sort();
    return await Promise.all(names.map((n) => readFile(join(dir, n))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
