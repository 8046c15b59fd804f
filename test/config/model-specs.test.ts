import { describe, expect, it } from "vitest";
import { resolveModelSpecs, SPEC_DEFAULTS } from "../../src/config/model-specs.js";
import { parseModelsConfig } from "../../src/config/models-config.js";
import { resolveRunConfig, runFingerprint } from "../../src/config/run-config.js";
import type { Task } from "../../src/work/task.js";

const FILE = parseModelsConfig(
  `models:
  primary:
    base_url: http://primary.test/v1
    api_key_env: PRIMARY_KEY
    concurrency: 16
    rpm: 600
    timeout: 30
    max_retries: 2
    price: { input: 1, output: 2 }
    fallback: backup
    fallback_after: 60
  backup:
    base_url: http://backup.test/v1
    tpm: 10000
`,
  "models.yaml",
);
const ENV = { PRIMARY_KEY: "sk-primary", OPENAI_API_KEY: "sk-openai" };

describe("resolveModelSpecs", () => {
  it("takes the models file over the defaults, and resolves the fallback the same way", () => {
    const [p] = resolveModelSpecs(["primary"], {}, FILE, ENV);
    expect(p).toMatchObject({
      name: "primary",
      baseURL: "http://primary.test/v1",
      apiKey: "sk-primary",
      apiKeyEnv: "PRIMARY_KEY",
      concurrency: 16,
      price: { input: 1, output: 2 },
      reliability: { maxRetries: 2, maxRetryAfterMs: 120_000, rpm: 600, fallbackAfterMs: 60_000, timeouts: { totalMs: 30_000, ttftMs: SPEC_DEFAULTS.ttftTimeoutMs, idleMs: SPEC_DEFAULTS.idleTimeoutMs } },
    });
    expect(p?.fallback).toMatchObject({ name: "backup", baseURL: "http://backup.test/v1", apiKey: "sk-openai", concurrency: 8, price: null, reliability: { tpm: 10_000, maxRetries: 6 } });
    expect(p?.fallback?.fallback).toBeUndefined();
  });

  it("lets flags given on the command line win over the file", () => {
    const [p] = resolveModelSpecs(["primary"], { concurrency: 4, rpm: 60, timeoutMs: 5000, maxRetries: 0, baseURL: "http://override.test/v1" }, FILE, ENV);
    expect(p).toMatchObject({ concurrency: 4, baseURL: "http://override.test/v1", reliability: { rpm: 60, maxRetries: 0, timeouts: { totalMs: 5000 } } });
  });

  it("uses the built-in defaults without a file", () => {
    const [m] = resolveModelSpecs(["gpt-4o-mini"], {}, undefined, { OPENAI_API_KEY: "k" });
    expect(m).toEqual({
      name: "gpt-4o-mini",
      baseURL: undefined,
      apiKey: "k",
      apiKeyEnv: "OPENAI_API_KEY",
      concurrency: 8,
      price: null,
      reliability: { maxRetries: 6, maxRetryAfterMs: 120_000, timeouts: { totalMs: 600_000, ttftMs: 180_000, idleMs: 60_000 } },
    });
  });

  it("names the model whose key is missing", () => {
    expect(() => resolveModelSpecs(["primary"], {}, FILE, {})).not.toThrow(); // it has a base URL
    const noUrl = parseModelsConfig("models:\n  remote:\n    api_key_env: REMOTE_KEY\n", "m.yaml");
    expect(() => resolveModelSpecs(["remote"], {}, noUrl, {})).toThrow("key `--api-key-env`: no API key for model `remote`: set $REMOTE_KEY");
  });
});

describe("resolveRunConfig: reliability flags", () => {
  const base = { task: ["t"], model: ["m"], baseUrl: "http://x.test/v1" };
  it("reads --rpm, --tpm, timeouts in seconds and --max-retries into the model specs", () => {
    const c = resolveRunConfig([], { ...base, rpm: "120", tpm: "50000", timeout: "2.5", ttftTimeout: "1", idleTimeout: "0.5", maxRetries: "3" }, {});
    expect(c.modelSpecs[0]?.reliability).toEqual({ maxRetries: 3, maxRetryAfterMs: 120_000, rpm: 120, tpm: 50_000, timeouts: { totalMs: 2500, ttftMs: 1000, idleMs: 500 } });
  });

  it("rejects bad values naming the flag", () => {
    expect(() => resolveRunConfig([], { ...base, rpm: "0" }, {})).toThrow('key `--rpm`: expected a number > 0, got "0"');
    expect(() => resolveRunConfig([], { ...base, timeout: "soon" }, {})).toThrow('key `--timeout`: expected a number > 0, got "soon"');
    expect(() => resolveRunConfig([], { ...base, maxRetries: "-1" }, {})).toThrow('key `--max-retries`: expected an integer >= 0, got "-1"');
  });

  it("with a models file, checks keys per model and fingerprints endpoints and fallbacks", () => {
    const task = { name: "t", origin: { file: "t.yaml", text: "x" } } as unknown as Task;
    const withFile = resolveRunConfig([], { task: ["t"], model: ["primary"], models: "models.yaml" }, ENV, { modelsConfig: FILE });
    expect(withFile.modelSpecs[0]?.fallback?.name).toBe("backup");
    expect(withFile.modelsFile).toBe("models.yaml");
    const other = parseModelsConfig("models:\n  primary:\n    base_url: http://primary.test/v1\n", "models.yaml");
    const withoutFallback = resolveRunConfig([], { task: ["t"], model: ["primary"] }, ENV, { modelsConfig: other });
    expect(runFingerprint(withFile, [task])).not.toBe(runFingerprint(withoutFallback, [task]));
  });
});
