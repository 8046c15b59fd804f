import { isPythonHook, type PythonHook } from "../python/hooks/hook-ref.js";
import { mediaRefs, type MediaSpec } from "../media/media-items.js";
import type { Doc, MediaRef, MediaSettings } from "../types.js";
import { type DocHookName, hookValue } from "./hook-values.js";
import type { TaskConfig } from "./schema.js";
import { compileValueTemplate } from "./template.js";
import type { ConfigSite } from "./yaml-location.js";
import { TaskInputError } from "../errors/task-input-error.js";

/** How a run treats media: `--video-frames`, `--max-image-side` (the refs carry them: they change the request). */
export interface MediaBuildOptions {
  readonly videoFrames?: number;
  readonly maxImageSide?: number;
}

const MEDIA_KEYS = [
  ["doc_to_image", "image"],
  ["doc_to_audio", "audio"],
  ["doc_to_visual", "visual"],
] as const;

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A task's media, from `doc_to_image`, `doc_to_audio` and lmms-eval's `doc_to_visual`, each a field
 * name, a list of field names, a Jinja template (its value: an item or a list, as lm-eval literal-evals
 * a rendered list), or a Python hook. Undefined when the task names none.
 */
export function compileMedia(config: TaskConfig, site: ConfigSite, options: MediaBuildOptions): ((doc: Doc, baseDir: string) => MediaRef[]) | undefined {
  const getters = MEDIA_KEYS.flatMap(([key, kind]) => {
    const spec = config[key];
    if (spec === undefined) return [];
    const media: MediaSpec = { key, kind, ...mediaSettings(config, options) };
    return [{ media, get: mediaValue(spec, key, site) }];
  });
  if (getters.length === 0) return undefined;
  return (doc, baseDir) => getters.flatMap(({ media, get }) => mediaRefs(get(doc), media, baseDir));
}

/** The task's and run's media settings: `image_detail`, `--video-frames`, `--max-image-side`. */
export function mediaSettings(config: TaskConfig, options: MediaBuildOptions): MediaSettings {
  return { ...(config.image_detail ? { detail: config.image_detail } : {}), ...(options.videoFrames ? { frames: options.videoFrames } : {}), ...(options.maxImageSide ? { maxSide: options.maxImageSide } : {}) };
}

function mediaValue(spec: string | readonly string[] | PythonHook, key: DocHookName, site: ConfigSite): (doc: Doc) => unknown {
  if (isPythonHook(spec)) return (doc) => hookValue(doc, key);
  if (typeof spec !== "string") return (doc) => spec.map((name) => field(doc, name, key));
  const text = spec;
  if (FIELD_NAME.test(text)) return (doc) => field(doc, text, key);
  const t = compileValueTemplate(/\{\{|\{%/.test(text) ? text : `{{ ${text} }}`, site.where([key]));
  return (doc) => t.evaluate(doc);
}

function field(doc: Doc, name: string, key: string): unknown {
  if (!Object.hasOwn(doc, name)) throw new TaskInputError(`${key}: missing field \`${name}\``, name);
  return doc[name];
}

/**
 * lmms-eval's prompt settings for a model family: its own block when the task has one, else `default`
 * (as lmms-eval's Task picks them). Undefined when the task has none.
 */
export function promptKwargs(config: TaskConfig, modelFamily: string | undefined): Record<string, unknown> | undefined {
  const all = config.lmms_eval_specific_kwargs ?? config.model_specific_prompt_kwargs;
  if (!all) return undefined;
  const chosen = (modelFamily !== undefined && Object.hasOwn(all, modelFamily) ? all[modelFamily] : all.default) ?? undefined;
  return chosen ? { ...chosen } : {};
}
