import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { stableJson } from "../cache/stable-json.js";
import type { Task } from "../work/task.js";
import type { BuildOptions } from "./build.js";

/** Output types whose rendering reads only the doc and the task (no conversation state, no tools). */
const PLAIN_TYPES: ReadonlySet<string> = new Set(["generate_until", "multiple_choice", "loglikelihood", "loglikelihood_rolling"]);

let version: string | undefined;

/** This package's version: a release may render the same task and doc differently. */
function packageVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "unknown";
    } catch {
      version = "unknown";
    }
  }
  return version;
}

/**
 * The task with its `renderDigest` set, when its rendering of a sample is a function of the sample's input
 * line and of what this digest covers: `text` (the task file with its includes, the Python files its hooks
 * name and the run's overrides, as `origin.text` holds it), the build options (the few-shot pool's docs
 * included, whichever file they came from) and the package's version. Tasks with Python hooks (whose modules
 * may import others), with media (files read by path) or of a conversation or tool type get none: a resumed
 * run renders their samples and compares fingerprints, as before.
 */
export function withRenderDigest(task: Task, text: string, options: BuildOptions): Task {
  if (task.pythonHooks?.length || task.hooks || task.fewshotPython || task.media || !PLAIN_TYPES.has(task.outputType)) return task;
  const h = createHash("sha256");
  h.update(`streameval ${packageVersion()}\0${task.outputType}\0`);
  h.update(text);
  h.update("\0");
  // The options as values, however the caller spelled them (absent and undefined alike).
  const media = options.media ?? {};
  h.update(stableJson([options.numFewshot ?? null, options.fewshotAsMultiturn === true, options.modelFamily ?? null, media.videoFrames ?? null, media.maxImageSide ?? null, options.fewshotPool ?? null]));
  return { ...task, renderDigest: `sha256:${h.digest("base64url").slice(0, 32)}` };
}
