import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/** A real redis-server on a free loopback port, in a temporary folder, for one test file. */
export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** `redis://127.0.0.1:PORT/NAME`. */
  url(name: string): string;
  /** A plain client (closed by `stop`). */
  client(): Redis;
  /** Shuts the server down (SHUTDOWN: with appendonly, the AOF is written), and starts it again on the same port and folder. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * Spawns `redis-server ARGS` and waits (10 s at most) until its log says it accepts connections.
 * `spawned` sees the child at once, so a caller can stop it even when it never gets ready.
 */
async function spawnRedisServer(args: readonly string[], spawned?: (child: ChildProcess) => void): Promise<ChildProcess> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  spawned?.(child);
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!log.includes("Ready to accept connections")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

/**
 * Starts `redis-server --port P --bind 127.0.0.1 --dir TMP --save ''` (plus `--appendonly yes
 * --appendfsync always` with `persistence`, so a restart loses nothing), waiting until it answers.
 */
export async function startRedis(options: { persistence?: boolean } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "streameval-redis-"));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...(options.persistence ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])];
  let child: ChildProcess;
  const clients: Redis[] = [];
  const launch = async () => {
    child = await spawnRedisServer(args);
  };
  const down = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  await launch();
  return {
    port,
    dir,
    url: (name) => `redis://127.0.0.1:${port}/${name}`,
    client: () => {
      const c = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: null });
      c.on("error", () => undefined); // a restart drops it; it reconnects
      clients.push(c);
      return c;
    },
    restart: async (downMs = 300) => {
      await down();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    stop: async () => {
      for (const c of clients) c.disconnect();
      await down();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A real three-primary Redis Cluster (no replicas) on free loopback ports, in a temporary folder. */
export interface RedisCluster {
  readonly ports: readonly number[];
  /** `redis+cluster://127.0.0.1:FIRST/NAME`. */
  url(name: string): string;
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` and joins them with `redis-cli --cluster create
 * … --cluster-replicas 0 --cluster-yes`, waiting until the cluster says `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), "streameval-redis-cluster-"));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => (c.once("exit", r), c.kill("SIGTERM")))));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "2000"];
      await spawnRedisServer(args, (c) => children.push(c));
    }
    const create = spawn("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    create.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    create.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => create.once("exit", r));
    if (code !== 0) throw new Error(`redis-cli --cluster create failed:\n${out}`);
    const probe = new Redis({ port: ports[0], host: "127.0.0.1", lazyConnect: true });
    try {
      const deadline = Date.now() + 20_000;
      while (!/cluster_state:ok/.test(String(await probe.cluster("INFO")))) {
        if (Date.now() > deadline) throw new Error("the cluster did not reach cluster_state:ok");
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      probe.disconnect();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, url: (name) => `redis+cluster://127.0.0.1:${ports[0]}/${name}`, stop };
}
