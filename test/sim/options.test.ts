import { describe, expect, it } from "vitest";
import { isConfigError } from "../../src/errors/index.js";
import { isLoopback, parseSimFlags, validateSimOptions, type SimOptions } from "../../src/sim/index.js";

const bad = (o: unknown) => () => validateSimOptions(o as SimOptions);

describe("validateSimOptions", () => {
  it("fills in defaults", () => {
    expect(validateSimOptions({})).toEqual({
      port: 0, host: "127.0.0.1", ttftMs: 0, itlMs: 0, accuracy: 0.8, answerKey: undefined, answerKeyFile: undefined,
      answerField: "target", seed: 0, replyFormat: "reasoning", reasoning: "none", judgeStyle: "plain", judgePositionBias: 0, usage: true, faults: undefined, models: undefined, apiKey: undefined,
    });
  });

  it("uses latencyMs as the whole delay, unless ttftMs or itlMs define the timing", () => {
    expect(validateSimOptions({ latencyMs: 50 })).toMatchObject({ ttftMs: 50, itlMs: 0 });
    expect(validateSimOptions({ latencyMs: 50, itlMs: 5 })).toMatchObject({ ttftMs: 0, itlMs: 5 });
    expect(validateSimOptions({ ttftMs: 200 })).toMatchObject({ ttftMs: 200, itlMs: 0 });
  });

  it("drops the brackets of an IPv6 host", () => {
    expect(validateSimOptions({ host: "[::1]" }).host).toBe("::1");
  });

  it.each([
    [{ port: 70000 }, "Expected `port` to be an integer from 0 to 65535, got 70000"],
    [{ port: 1.5 }, "Expected `port` to be an integer from 0 to 65535, got 1.5"],
    [{ host: "0.0.0.0" }, 'Expected `host` to be a loopback address (127.0.0.1, ::1 or localhost), got "0.0.0.0"'],
    [{ host: "example.com" }, 'Expected `host` to be a loopback address (127.0.0.1, ::1 or localhost), got "example.com"'],
    [{ latencyMs: -1 }, "Expected `latencyMs` to be a finite number >= 0, got -1"],
    [{ ttftMs: Number.NaN }, "Expected `ttftMs` to be a finite number >= 0, got NaN"],
    [{ itlMs: "5" }, 'Expected `itlMs` to be a finite number >= 0, got "5"'],
    [{ accuracy: 1.5 }, "Expected `accuracy` to be a number from 0 to 1, got 1.5"],
    [{ reasoning: "yes" }, 'Expected `reasoning` to be "none", "think", "think-close", "field", got "yes"'],
    [{ judgeStyle: "odd" }, 'Expected `judgeStyle` to be "plain", "tricky" or "none", got "odd"'],
    [{ judgePositionBias: 2 }, "Expected `judgePositionBias` to be a number from 0 to 1, got 2"],
    [{ seed: 0.5 }, "Expected `seed` to be an integer, got 0.5"],
    [{ answerKey: "file.jsonl" }, 'Expected `answerKey` to be a function or a Map, got "file.jsonl"'],
    [{ answerKey: new Map(), answerKeyFile: "k.jsonl" }, "Expected only one of `answerKey` and `answerKeyFile`"],
    [{ answerKeyFile: "" }, 'Expected `answerKeyFile` to be a non-empty string, got ""'],
    [{ answerField: "answer" }, "Expected `answerField` only with `answerKeyFile`"],
    [{ usage: "no" }, 'Expected `usage` to be a boolean, got "no"'],
    [{ faults: {} }, "Expected `faults` to be a function, got object"],
    [{ models: [] }, "Expected `models` to be a non-empty array of non-empty strings, got an array"],
    [{ models: "gpt" }, 'Expected `models` to be a non-empty array of non-empty strings, got "gpt"'],
    [{ apiKey: "" }, "Expected `apiKey` to be a non-empty string"],
    [{ latency: 5 }, "Unknown sim option `latency` (known: port, host, latencyMs, ttftMs, itlMs, accuracy, answerKey, answerKeyFile, answerField, seed, replyFormat, reasoning, judgeStyle, judgePositionBias, usage, faults, models, apiKey)"],
  ])("rejects %j", (options, message) => {
    expect(bad(options)).toThrow(message);
    try {
      bad(options)();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as Error).message).toBe(message);
    }
  });

  it("never puts the API key in a message", () => {
    expect(bad({ apiKey: 12345678 })).toThrow("Expected `apiKey` to be a non-empty string");
    expect(() => validateSimOptions({ apiKey: 12345678 } as never)).not.toThrow(/12345678/);
  });
});

describe("isLoopback", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"])("accepts %s", (h) => {
    expect(isLoopback(h)).toBe(true);
  });
  it.each(["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0.256", "localhost.evil.com", ""])("rejects %s", (h) => {
    expect(isLoopback(h)).toBe(false);
  });
});

describe("parseSimFlags", () => {
  it("reads --reply-format, and names the flag when it is neither reasoning nor answer", () => {
    expect(parseSimFlags({ replyFormat: "answer" })).toEqual({ replyFormat: "answer" });
    expect(() => parseSimFlags({ replyFormat: "code" })).toThrow('Expected `--reply-format` to be "reasoning" or "answer", got "code"');
  });

  it("turns flag strings into options", () => {
    expect(
      parseSimFlags({ port: "8089", latencyMs: "50", ttftMs: "20", itlMs: "5", accuracy: "0.7", answerKey: "k.jsonl", answerField: "answer", seed: "42", model: ["m1"], usage: false }),
    ).toEqual({ port: 8089, latencyMs: 50, ttftMs: 20, itlMs: 5, accuracy: 0.7, answerKeyFile: "k.jsonl", answerField: "answer", seed: 42, models: ["m1"], usage: false });
    expect(parseSimFlags({})).toEqual({});
  });

  it.each([
    [{ port: "abc" }, 'Expected `--port` to be a number, got "abc"'],
    [{ seed: "" }, 'Expected `--seed` to be a number, got ""'],
    [{ accuracy: "1.5" }, "Expected `--accuracy` to be a number from 0 to 1, got 1.5"],
    [{ latencyMs: "-3" }, "Expected `--latency-ms` to be a finite number >= 0, got -3"],
    [{ answerField: "answer" }, "Expected `--answer-field` only with `--answer-key`"],
    [{ host: "0.0.0.0" }, 'Expected `--host` to be a loopback address (127.0.0.1, ::1 or localhost), got "0.0.0.0"'],
  ])("rejects %j with a message naming the flag", (flags, message) => {
    expect(() => parseSimFlags(flags)).toThrow(message);
  });
});
