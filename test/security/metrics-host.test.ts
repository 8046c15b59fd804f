import { request } from "node:http";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { type MetricsServer, startMetricsServer } from "../../src/observe/metrics-server.js";

/** GET /metrics with a chosen Host header (fetch cannot set one), resolving to the status. */
function scrape(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/metrics", headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("/metrics checks the Host header (DNS rebinding, issue 21 case 12)", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves loopback names and the bound address; refuses any other name with 403", async () => {
    server = await startMetricsServer({ registry: new Registry(), port: 0 });
    const p = server.port;
    for (const ok of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`, "localhost"]) {
      expect(await scrape(p, ok), String(ok)).toBe(200);
    }
    for (const bad of [`evil.example:${p}`, "evil.example", `127.0.0.1.evil.example:${p}`, `localhost.evil.example`, "a b", `[::1`]) {
      expect(await scrape(p, bad), bad).toBe(403);
    }
  });

  it("serves a name configured in allowedHosts", async () => {
    server = await startMetricsServer({ registry: new Registry(), port: 0, allowedHosts: ["metrics.internal"] });
    expect(await scrape(server.port, `metrics.internal:${server.port}`)).toBe(200);
    expect(await scrape(server.port, `other.internal:${server.port}`)).toBe(403);
  });
});
