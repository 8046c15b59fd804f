import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModelsConfig, parseModelsConfig } from "../../src/config/models-config.js";

const FULL = `# models for the nightly run
models:
  gpt-4o-mini:
    base_url: https://api.openai.com/v1
    api_key_env: OPENAI_API_KEY
    concurrency: 32
    rpm: 5000
    tpm: 2000000
    timeout: 120
    ttft_timeout: 60
    idle_timeout: 30
    max_retries: 4
    price: { input: 0.15, output: 0.6, cached_input: 0.075 }
    context_window: 128000
    fallback: gpt-4o
    fallback_after: 90
  gpt-4o:
    price: { input: 2.5, output: 10 }
  local:
`;

const errorOf = (text: string) => {
  try {
    parseModelsConfig(text, "models.yaml");
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
};

describe("parseModelsConfig", () => {
  it("reads every setting, in ms where the file says seconds", () => {
    const c = parseModelsConfig(FULL, "models.yaml");
    expect(c.models.get("gpt-4o-mini")).toEqual({
      name: "gpt-4o-mini",
      baseURL: "https://api.openai.com/v1",
      apiKeyEnv: "OPENAI_API_KEY",
      concurrency: 32,
      rpm: 5000,
      tpm: 2_000_000,
      timeoutMs: 120_000,
      ttftTimeoutMs: 60_000,
      idleTimeoutMs: 30_000,
      maxRetries: 4,
      price: { input: 0.15, output: 0.6, cached_input: 0.075 },
      contextWindow: 128_000,
      fallback: "gpt-4o",
      fallbackAfterMs: 90_000,
    });
    expect(c.models.get("gpt-4o")).toEqual({ name: "gpt-4o", price: { input: 2.5, output: 10 } });
    expect(c.models.get("local")).toEqual({ name: "local" });
  });

  it("names file, line and key for a bad value", () => {
    expect(errorOf(FULL.replace("rpm: 5000", "rpm: -5"))).toBe("models.yaml:7, key `models.gpt-4o-mini.rpm`: expected a number > 0");
    expect(errorOf(FULL.replace("concurrency: 32", "concurrency: 2.5"))).toBe("models.yaml:6, key `models.gpt-4o-mini.concurrency`: expected an integer");
    expect(errorOf(FULL.replace("output: 10", "output: ten"))).toBe("models.yaml:18, key `models.gpt-4o.price.output`: expected a number (USD per 1M tokens)");
    expect(errorOf(FULL.replace("base_url: https://api.openai.com/v1", "base_url: ftp://x"))).toBe("models.yaml:4, key `models.gpt-4o-mini.base_url`: expected an http(s) URL");
  });

  it("names an unknown key and lists the known ones", () => {
    expect(errorOf(FULL.replace("rpm: 5000", "rmp: 5000"))).toMatch(/^models\.yaml:7, key `models\.gpt-4o-mini\.rmp`: unknown key \(known: base_url, api_key_env, concurrency, rpm, /);
    expect(errorOf(`${FULL}defaults: {}\n`)).toBe("models.yaml:20, key `defaults`: unknown key: the file holds `models:` only");
  });

  it("checks fallbacks: known, with fallback_after only beside them, and without a cycle", () => {
    expect(errorOf(FULL.replace("fallback: gpt-4o", "fallback: gpt-5"))).toBe(
      "models.yaml:15, key `models.gpt-4o-mini.fallback`: unknown model `gpt-5`: a fallback must be a model of this file (gpt-4o-mini, gpt-4o, local)",
    );
    expect(errorOf(FULL.replace("    fallback: gpt-4o\n", ""))).toBe("models.yaml:15, key `models.gpt-4o-mini.fallback_after`: `fallback_after` needs a `fallback` model");
    expect(errorOf(FULL.replace("price: { input: 2.5, output: 10 }", "fallback: gpt-4o-mini"))).toBe(
      "models.yaml:15, key `models.gpt-4o-mini.fallback`: fallbacks form a cycle: gpt-4o-mini -> gpt-4o -> gpt-4o-mini",
    );
  });

  it("reports YAML syntax errors with their line, and a file without `models`", () => {
    expect(errorOf("models:\n  a: [1, 2\n")).toMatch(/^models\.yaml:3: invalid YAML: /);
    expect(errorOf("")).toBe("models.yaml, key `models`: expected a map of model names to their settings");
  });
});

describe("loadModelsConfig", () => {
  it("reads a file, and names a missing one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "models-config-"));
    const path = join(dir, "models.yaml");
    await writeFile(path, FULL);
    expect((await loadModelsConfig(path)).models.size).toBe(3);
    await expect(loadModelsConfig(join(dir, "nope.yaml"))).rejects.toThrow(`${join(dir, "nope.yaml")}, key \`--models\`: models file not found`);
  });
});
