import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../../src/config/run-config.js";
import { serveRunMetrics } from "../../src/observe/serve-run-metrics.js";

const base = { task: ["gsm8k"], model: ["m"], baseUrl: "http://127.0.0.1:59999/v1" };

describe("--metrics-port", () => {
  it("is off by default and takes a port from 0 to 65535", () => {
    expect(resolveRunConfig([], base, {}).metricsPort).toBeUndefined();
    expect(resolveRunConfig([], { ...base, metricsPort: "9464" }, {}).metricsPort).toBe(9464);
    expect(resolveRunConfig([], { ...base, metricsPort: "0" }, {}).metricsPort).toBe(0);
    expect(() => resolveRunConfig([], { ...base, metricsPort: "70000" }, {})).toThrow('key `--metrics-port`: expected a port from 0 to 65535, got "70000"');
    expect(() => resolveRunConfig([], { ...base, metricsPort: "x" }, {})).toThrow("key `--metrics-port`");
    expect(() => resolveRunConfig([], { ...base, metricsPort: "" }, {})).toThrow("key `--metrics-port`");
  });

  it("names the flag when the port is taken (a configuration error, exit 2)", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serveRunMetrics(port)).rejects.toThrow(`key \`--metrics-port\`: cannot serve metrics on 127.0.0.1:${port} (port in use)`);
    } finally {
      blocker.close();
    }
  });
});
