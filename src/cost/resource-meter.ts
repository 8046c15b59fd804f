import dc from "node:diagnostics_channel";
import type { Socket } from "node:net";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";

/** What a run used of the machine and the network. */
export interface ResourceUsage {
  readonly wall_s: number;
  readonly cpu_user_s: number;
  readonly cpu_system_s: number;
  /** The process's peak resident set size so far, in MB. */
  readonly peak_rss_mb: number;
  /**
   * HTTP bytes on sockets the SDK's fetch opened while metering (headers and bodies, before TLS).
   * Process-wide: concurrent runs in one process share these figures.
   */
  readonly bytes_sent: number;
  readonly bytes_received: number;
}

export interface ResourceMeter {
  /** Stops metering and returns the figures since `startResourceMeter`. Later calls return the same. */
  stop(): ResourceUsage;
}

const CONNECTED = "undici:client:connected";

/**
 * Starts metering wall time, CPU, peak RSS and network bytes. Bytes come from the sockets that
 * fetch (undici, which the openai SDK uses) connects, seen through the `undici:client:connected`
 * diagnostics channel: counted when a socket closes, or at `stop` for those still open.
 */
export function startResourceMeter(clock: Clock = systemClock): ResourceMeter {
  const started = clock.now();
  const cpu = process.cpuUsage();
  const open = new Set<Socket>();
  let closedSent = 0;
  let closedReceived = 0;
  const onClose = (socket: Socket) => () => {
    if (!open.delete(socket)) return;
    closedSent += socket.bytesWritten;
    closedReceived += socket.bytesRead;
  };
  const onConnected = (message: unknown) => {
    const socket = (message as { socket?: Socket } | undefined)?.socket;
    if (!socket || open.has(socket)) return;
    open.add(socket);
    socket.once("close", onClose(socket));
  };
  dc.subscribe(CONNECTED, onConnected);
  let result: ResourceUsage | undefined;

  return {
    stop() {
      if (result) return result;
      dc.unsubscribe(CONNECTED, onConnected);
      let sent = closedSent;
      let received = closedReceived;
      for (const s of open) {
        sent += s.bytesWritten;
        received += s.bytesRead;
      }
      open.clear();
      const used = process.cpuUsage(cpu);
      result = {
        wall_s: round3((clock.now() - started) / 1000),
        cpu_user_s: round3(used.user / 1e6),
        cpu_system_s: round3(used.system / 1e6),
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
        bytes_sent: sent,
        bytes_received: received,
      };
      return result;
    },
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
