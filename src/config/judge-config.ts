import { ConfigError } from "../errors/config-error.js";
import { type ModelSpec, resolveModelSpecs } from "./model-specs.js";
import type { ModelsConfig } from "./models-config.js";

/** The judge's flags, as commander parsed them. */
export interface JudgeFlags {
  readonly judgeModel?: string;
  readonly judgeBaseUrl?: string;
  readonly judgeApiKeyEnv?: string;
  /** The run's own endpoint and key variable, the judge's last resort. */
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
}

export interface JudgeConfig {
  /** `--judge-model`: overrides the task's `judge.model`. */
  readonly judgeModel: string | undefined;
  /** `--judge-base-url`: overrides the models file and the task's `judge.base_url`. */
  readonly judgeBaseURL: string | undefined;
  /**
   * The judge's spec once its name is known (the flag, else the task's): its endpoint is
   * `--judge-base-url`, else the models file's entry, else the task's `judge.base_url`, else the run's;
   * its key variable `--judge-api-key-env`, else the file's, else the run's; limits and price from the
   * file's entry where it has one. The key is read here, the only place the run reads the environment.
   */
  readonly judgeSpec: (model: string, taskBaseURL: string | undefined) => ModelSpec;
}

/** Validates the judge's flags; throws a ConfigError naming the flag. */
export function resolveJudgeConfig(flags: JudgeFlags, env: NodeJS.ProcessEnv, file: ModelsConfig | undefined, requireKey: boolean): JudgeConfig {
  if (flags.judgeModel !== undefined && flags.judgeModel.trim() === "") throw new ConfigError("expected a model name", { key: "--judge-model" });
  if (flags.judgeBaseUrl !== undefined && !/^https?:\/\/\S+$/.test(flags.judgeBaseUrl)) {
    throw new ConfigError(`expected an http(s) URL, got ${JSON.stringify(flags.judgeBaseUrl)}`, { key: "--judge-base-url" });
  }
  if (flags.judgeApiKeyEnv !== undefined && !env[flags.judgeApiKeyEnv]) throw new ConfigError(`$${flags.judgeApiKeyEnv} is not set`, { key: "--judge-api-key-env" });
  return {
    judgeModel: flags.judgeModel,
    judgeBaseURL: flags.judgeBaseUrl,
    judgeSpec: (model, taskBaseURL) => {
      const entry = file?.models.get(model);
      const baseURL = flags.judgeBaseUrl ?? (entry?.baseURL ? undefined : (taskBaseURL ?? flags.baseUrl));
      const apiKeyEnv = flags.judgeApiKeyEnv ?? (entry?.apiKeyEnv ? undefined : flags.apiKeyEnv);
      return resolveModelSpecs([model], { baseURL, apiKeyEnv }, file, env, requireKey)[0]!;
    },
  };
}
