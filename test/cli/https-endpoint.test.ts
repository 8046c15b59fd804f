import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { root, runCli } from "../support/cli.js";

const data = join(root, "test/fixtures/datasets/gsm8k_test.jsonl");
const tls = join(root, "test/fixtures/tls");
const cert = join(tls, "localhost-cert.pem");

/**
 * An https endpoint (the fixture's self-signed certificate for 127.0.0.1) in front of the simulator: the requests
 * go out over TLS as they do to a real API, through node:https (`httpFetch`), with the system's trust store.
 */
describe("an https endpoint", { timeout: 120_000 }, () => {
  let sim: SimServer;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    sim = await startSim({ answerKeyFile: data, latencyMs: 1 });
    const target = new URL(sim.url);
    server = createServer({ cert: readFileSync(cert), key: readFileSync(join(tls, "localhost-key.pem")) }, (req, res) => {
      const forward = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sim.close();
  });

  it("is evaluated over TLS when its certificate is trusted (NODE_EXTRA_CA_CERTS); one that does not verify stops the run", async () => {
    const args = ["run", data, "-t", "gsm8k", "-m", "sim", "--base-url", url, "--limit", "5", "--no-store", "--no-progress", "--connect-timeout", "2"];
    const trusted = await runCli(args, { env: { NODE_EXTRA_CA_CERTS: cert } });
    expect(trusted.stderr).not.toContain("cannot reach");
    expect(trusted.code).toBe(0);
    const lines = trusted.stdout.trim().split("\n").map((l) => JSON.parse(l) as { status: string; response: string });
    expect(lines.map((l) => l.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(lines.every((l) => l.response.includes("####"))).toBe(true);

    // Not trusted: the certificate is checked, and a certificate that does not verify stops the run (exit 4) on
    // its first reply rather than being retried as an outage, naming the endpoint and what to do.
    const untrusted = await runCli(args);
    expect(untrusted.code).toBe(4);
    expect(untrusted.stderr).toContain(`${url}: the endpoint's TLS certificate cannot be verified (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    expect(untrusted.stderr).toContain("NODE_EXTRA_CA_CERTS");
    expect(untrusted.stdout.split("\n").filter((l) => l.includes('"status":"ok"'))).toEqual([]);
  });
});
