import { describe, expect, it } from "vitest";
import { resolveJudgeConfig } from "../../src/config/judge-config.js";
import type { ModelsConfig } from "../../src/config/models-config.js";

const file: ModelsConfig = { file: "models.yaml", models: new Map([["gpt-4", { name: "gpt-4", baseURL: "https://judge.example/v1", apiKeyEnv: "JUDGE_KEY", rpm: 100, price: { input: 30, output: 60 } }]]) };
const env = { OPENAI_API_KEY: "run-key", JUDGE_KEY: "judge-key", OTHER: "other-key" };

describe("the judge's endpoint, key and limits", () => {
  it("takes the models file's entry for the judge, over the task's base URL", () => {
    const spec = resolveJudgeConfig({}, env, file, true).judgeSpec("gpt-4", "https://task.example/v1");
    expect(spec).toMatchObject({ baseURL: "https://judge.example/v1", apiKey: "judge-key", price: { input: 30, output: 60 }, reliability: { rpm: 100 } });
  });

  it("else the task's base URL, else the run's endpoint and key", () => {
    const c = resolveJudgeConfig({ baseUrl: "http://run.example/v1" }, env, undefined, true);
    expect(c.judgeSpec("j", "https://task.example/v1")).toMatchObject({ baseURL: "https://task.example/v1", apiKey: "run-key" });
    expect(c.judgeSpec("j", undefined)).toMatchObject({ baseURL: "http://run.example/v1", apiKey: "run-key" });
  });

  it("the flags win over both", () => {
    const c = resolveJudgeConfig({ judgeModel: "gpt-4", judgeBaseUrl: "http://flag.example/v1", judgeApiKeyEnv: "OTHER" }, env, file, true);
    expect(c.judgeSpec("gpt-4", "https://task.example/v1")).toMatchObject({ baseURL: "http://flag.example/v1", apiKey: "other-key" });
    expect(() => resolveJudgeConfig({ judgeApiKeyEnv: "MISSING" }, env, file, true)).toThrow("$MISSING is not set");
    expect(() => resolveJudgeConfig({ judgeBaseUrl: "judge.example" }, env, file, true)).toThrow('expected an http(s) URL, got "judge.example"');
  });
});
