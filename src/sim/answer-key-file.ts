import { readFile } from "node:fs/promises";
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
 * its question text, its id and its `image_sha256` (when present) as keys for its answer. Empty lines are skipped; a line that is not a
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
    const image = typeof rec.image_sha256 === "string" && rec.image_sha256 !== "" ? imageKey(rec.image_sha256.toLowerCase()) : undefined;
    const keys = [image, question, id].filter((k): k is string => typeof k === "string" && k !== "");
    if (keys.length === 0) throw new ConfigError(`Expected field \`${questionField}\`, \`${idField}\` or \`image_sha256\` to be a non-empty string`, where);
    for (const key of keys) pairs.push([key, String(answer)]);
  }
  return pairs;
}
