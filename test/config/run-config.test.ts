import { describe, expect, it } from "vitest";
import { resolveRunConfig, runFingerprint } from "../../src/config/run-config.js";
import type { Task } from "../../src/work/task.js";

const task = (text: string) => ({ name: "gsm8k", origin: { file: "x", text } }) as unknown as Task;

describe("resolveRunConfig", () => {
  it("needs a model and a task, naming the flag", () => {
    expect(() => resolveRunConfig([], { task: ["gsm8k"] }, {})).toThrow("key `--model`: at least one --model (or a --route file naming models) is required");
    expect(() => resolveRunConfig([], { model: ["m"] }, {})).toThrow(/key `--task`/);
  });

  it("reads the key from the named variable, and defaults inputs to stdin", () => {
    const c = resolveRunConfig([], { task: ["gsm8k"], model: ["m"], apiKeyEnv: "MY_KEY" }, { MY_KEY: "sk-secret" });
    expect(c.apiKey).toBe("sk-secret");
    expect(c.inputs).toEqual(["-"]);
    expect(c.concurrency).toBe(8);
  });

  it("without a key, needs a base URL (a local server)", () => {
    expect(() => resolveRunConfig([], { task: ["t"], model: ["m"] }, {})).toThrow(/no API key: set \$OPENAI_API_KEY/);
    expect(resolveRunConfig([], { task: ["t"], model: ["m"] }, { OPENAI_BASE_URL: "http://127.0.0.1:59999/v1" }).baseURL).toBe("http://127.0.0.1:59999/v1");
  });

  it("gives the hook worker no key, and HF_ALLOW_CODE_EVAL only with --allow-code-execution", () => {
    const env = { OPENAI_API_KEY: "sk-secret", HF_ALLOW_CODE_EVAL: "1", PATH: "/bin" };
    const base = { task: ["t"], model: ["m"], baseUrl: "http://x" };
    const off = resolveRunConfig([], base, env).hookEnv;
    expect(off.OPENAI_API_KEY).toBeUndefined();
    expect(off.HF_ALLOW_CODE_EVAL).toBeUndefined();
    const on = resolveRunConfig([], { ...base, allowCodeExecution: true, codeTimeout: "5" }, env).hookEnv;
    expect(on.OPENAI_API_KEY).toBeUndefined();
    expect(on.HF_ALLOW_CODE_EVAL).toBe("1");
    expect(JSON.parse(on.STREAMEVAL_SANDBOX_LIMITS ?? "{}")).toMatchObject({ timeout_s: 5 });
  });

  it("rejects bad numbers with the flag's name", () => {
    const base = { task: ["t"], model: ["m"], baseUrl: "http://x" };
    expect(() => resolveRunConfig([], { ...base, concurrency: "0" }, {})).toThrow("key `--concurrency`: expected an integer >= 1, got \"0\"");
    expect(() => resolveRunConfig([], { ...base, limit: "x" }, {})).toThrow(/--limit/);
    expect(() => resolveRunConfig([], { ...base, price: "abc" }, {})).toThrow(/--price/);
    expect(resolveRunConfig([], { ...base, price: "0.15/0.6" }, {}).price).toEqual({ input: 0.15, output: 0.6 });
  });

  it("caps replies at 16 MiB and 4 × max_tokens unless told otherwise; rejects caps that would refuse every reply", () => {
    const base = { task: ["t"], model: ["m"], baseUrl: "http://x" };
    expect(resolveRunConfig([], base, {}).replyLimits).toEqual({ maxBytes: 16 * 1024 * 1024, maxTokenFactor: 4 });
    expect(resolveRunConfig([], { ...base, maxReplyBytes: "2048", maxReplyTokenFactor: "1.5" }, {}).replyLimits).toEqual({ maxBytes: 2048, maxTokenFactor: 1.5 });
    expect(() => resolveRunConfig([], { ...base, maxReplyBytes: "12" }, {})).toThrow("key `--max-reply-bytes`: expected an integer >= 1024");
    expect(() => resolveRunConfig([], { ...base, maxReplyTokenFactor: "0.5" }, {})).toThrow("key `--max-reply-token-factor`: expected a number >= 1");
  });

  it("the fingerprint changes with the task text and the models, not with the key", () => {
    const base = { task: ["t"], model: ["m"], baseUrl: "http://x" };
    const c1 = resolveRunConfig([], base, { OPENAI_API_KEY: "a" });
    const c2 = resolveRunConfig([], base, { OPENAI_API_KEY: "b" });
    expect(runFingerprint(c1, [task("p")])).toBe(runFingerprint(c2, [task("p")]));
    expect(runFingerprint(c1, [task("p")])).not.toBe(runFingerprint(c1, [task("q")]));
    const c3 = resolveRunConfig([], { ...base, model: ["m", "n"] }, {});
    expect(runFingerprint(c1, [task("p")])).not.toBe(runFingerprint(c3, [task("p")]));
    expect(runFingerprint(c1, [task("p")])).toMatch(/^gsm8k-[0-9a-f]{12}$/);
  });
});
