import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors/index.js";
import { imageKey } from "./content-parts.js";

/** Where to find the parts of each line of an answer-key JSONL file. */
export interface AnswerKeyFields {
  /** The field holding the correct answer (default `target`). */
  readonly answer?: string;
  /** The field holding the question text that prompts contain (default `question`). */
  readonly question?: string;
  /** The field holding the sample id (default `id`). */
  readonly id?: string;
}

/**
 * Reads a JSONL dataset (GSM8K's `question` + `target`, say) into (key, answer) pairs: each line gives
 * its question text, its id and its image's digest (when present) as keys for its answer. The digest is
 * `image_sha256`, else that of the line's `image` — a path relative to the key file's folder, or
 * `{"bytes": "<base64>"}` — so an image dataset (examples/charts.jsonl) is its own answer key. Empty lines are skipped; a line that is not a
 * JSON object, lacks the answer field, or has neither a question nor an id fails with a ConfigError
 * naming the file and line. Answers that are numbers are turned into strings.
 */
export async function loadAnswerKeyFile(file: string, fields: AnswerKeyFields = {}): Promise<Array<[string, string]>> {
  const answerField = fields.answer ?? "target";
  const questionField = fields.question ?? "question";
  const idField = fields.id ?? "id";
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new ConfigError(`Cannot read the answer key file: ${(e as Error).message}`, { file });
  }
  const pairs: Array<[string, string]> = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = { file, line: i + 1 };
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw new ConfigError("not valid JSON", where);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new ConfigError("Expected a JSON object", where);
    const rec = doc as Record<string, unknown>;
    const answer = rec[answerField];
    if (typeof answer !== "string" && typeof answer !== "number") {
      throw new ConfigError(`Expected field \`${answerField}\` to be a string or a number`, where);
    }
    const question = rec[questionField];
    const id = rec[idField];
    // `image_sha256`: the answer for a request carrying that image (so a test sees the right image reached the model).
    const sha256 = typeof rec.image_sha256 === "string" && rec.image_sha256 !== "" ? rec.image_sha256.toLowerCase() : await imageDigest(rec.image, file, where);
    const image = sha256 === undefined ? undefined : imageKey(sha256);
    const keys = [image, question, id].filter((k): k is string => typeof k === "string" && k !== "");
    if (keys.length === 0) throw new ConfigError(`Expected field \`${questionField}\`, \`${idField}\` or \`image_sha256\` to be a non-empty string`, where);
    for (const key of keys) pairs.push([key, String(answer)]);
  }
  return pairs;
}

/** The sha256 of a key line's `image`: a path (relative to the key file) or `{"bytes": base64}`; undefined for anything else. */
async function imageDigest(image: unknown, file: string, where: { file: string; line: number }): Promise<string | undefined> {
  let bytes: Buffer;
  if (typeof image === "string" && image !== "" && !/^(https?|data):/i.test(image)) {
    try {
      bytes = await readFile(resolve(dirname(file), image));
    } catch (e) {
      throw new ConfigError(`Cannot read the line's image ${image}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, where);
    }
  } else if (typeof image === "object" && image !== null && typeof (image as { bytes?: unknown }).bytes === "string") {
    bytes = Buffer.from((image as { bytes: string }).bytes, "base64");
  } else return undefined;
  return createHash("sha256").update(bytes).digest("hex");
}
