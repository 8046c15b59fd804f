import { ConfigError } from "../errors/index.js";
import { describe, validateSimOptions, type OptionLabel, type SimOptions } from "./options.js";

/**
 * `streameval sim` flags as commander hands them over (camelCased, values as strings):
 * `--port --host --latency-ms --ttft-ms --itl-ms --accuracy --answer-key FILE --answer-field NAME --seed
 * --reply-format reasoning|answer --reasoning none|think|think-close|field --judge-style plain|tricky|none
 * --judge-position-bias P --model NAME (repeatable) --no-usage`.
 */
export interface SimFlags {
  readonly port?: string;
  readonly host?: string;
  readonly latencyMs?: string;
  readonly ttftMs?: string;
  readonly itlMs?: string;
  readonly accuracy?: string;
  /** A JSONL file: becomes `answerKeyFile`. */
  readonly answerKey?: string;
  readonly answerField?: string;
  readonly seed?: string;
  readonly replyFormat?: string;
  readonly reasoning?: string;
  readonly judgeStyle?: string;
  readonly judgePositionBias?: string;
  readonly model?: readonly string[];
  readonly usage?: boolean;
}

const FLAG: Record<string, string> = {
  port: "--port", host: "--host", latencyMs: "--latency-ms", ttftMs: "--ttft-ms", itlMs: "--itl-ms",
  accuracy: "--accuracy", answerKeyFile: "--answer-key", answerField: "--answer-field", seed: "--seed",
  replyFormat: "--reply-format", reasoning: "--reasoning", judgeStyle: "--judge-style", judgePositionBias: "--judge-position-bias", models: "--model", usage: "--no-usage",
};
const asFlag: OptionLabel = (key) => `\`${FLAG[key] ?? key}\``;

/**
 * Turns CLI flags into `SimOptions`, checked as `startSim` would check them but with messages naming the
 * flag: ``Expected `--accuracy` to be a number from 0 to 1, got 1.5``; a value that is not a number at all
 * gives ``Expected `--port` to be a number, got "abc"``. Throws ConfigError (the CLI's exit code 2). An API
 * key is not a flag: the CLI reads it from the environment and adds `apiKey` itself.
 */
export function parseSimFlags(flags: SimFlags): SimOptions {
  const options: Record<string, unknown> = {};
  const num = (key: keyof SimFlags, flag: string): number | undefined => {
    const raw = flags[key];
    if (raw === undefined) return undefined;
    const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    if (!Number.isFinite(v)) throw new ConfigError(`Expected \`${flag}\` to be a number, got ${describe(raw)}`);
    return v;
  };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) options[key] = v;
  };
  set("port", num("port", "--port"));
  set("host", flags.host);
  set("latencyMs", num("latencyMs", "--latency-ms"));
  set("ttftMs", num("ttftMs", "--ttft-ms"));
  set("itlMs", num("itlMs", "--itl-ms"));
  set("accuracy", num("accuracy", "--accuracy"));
  set("answerKeyFile", flags.answerKey);
  set("answerField", flags.answerField);
  set("seed", num("seed", "--seed"));
  set("replyFormat", flags.replyFormat);
  set("reasoning", flags.reasoning);
  set("judgeStyle", flags.judgeStyle);
  set("judgePositionBias", num("judgePositionBias", "--judge-position-bias"));
  set("models", flags.model && flags.model.length > 0 ? [...flags.model] : undefined);
  set("usage", flags.usage);
  validateSimOptions(options, asFlag);
  return options;
}
