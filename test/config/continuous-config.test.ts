import { describe, expect, it } from "vitest";
import { parseRetention, resolveContinuousConfig } from "../../src/config/continuous-config.js";
import { ConfigError } from "../../src/errors/config-error.js";

/** The error a flag combination gets: its key and message. */
function errorOf(flags: Parameters<typeof resolveContinuousConfig>[0]): { key: string | undefined; message: string } {
  try {
    resolveContinuousConfig(flags);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return { key: (e as ConfigError).where.key, message: (e as Error).message };
  }
  throw new Error("expected a ConfigError");
}

describe("resolveContinuousConfig", () => {
  it("is undefined when no continuous flag is given, and windows by 60 s under --continuous", () => {
    expect(resolveContinuousConfig({})).toBeUndefined();
    expect(resolveContinuousConfig({ continuous: true })).toMatchObject({ endless: true, alerts: [], exitOnAlert: false, retain: undefined });
  });

  it("names the flag of each wrong combination", () => {
    expect(errorOf({ slide: "10s" }).key).toBe("--slide");
    expect(errorOf({ continuous: true, exitOnAlert: true }).key).toBe("--exit-on-alert");
    expect(errorOf({ retain: "7d", window: "60s" })).toMatchObject({ key: "--retain" });
    expect(errorOf({ retain: "7d", window: "60s" }).message).toMatch(/--continuous runs only/);
    expect(errorOf({ continuous: true, retain: "7d", store: false }).message).toMatch(/--no-store keeps none/);
    expect(errorOf({ metricsOut: "m.jsonl" }).key).toBe("--metrics-out");
  });

  it("reads --retain as an age or a count", () => {
    expect(parseRetention("7d")).toEqual({ maxAgeMs: 7 * 86_400_000 });
    expect(parseRetention("100000")).toEqual({ maxCount: 100_000 });
    expect(() => parseRetention("0")).toThrow(/expected an age/);
    expect(() => parseRetention("500ms")).toThrow(/at least 1s/);
  });
});
