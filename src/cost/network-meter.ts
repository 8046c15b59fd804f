import dc from "node:diagnostics_channel";
import type { Socket } from "node:net";

/**
 * HTTP bytes on sockets the SDK's fetch opened while metering (headers and bodies, before TLS).
 * Process-wide: concurrent runs in one process share these figures.
 */
export interface NetworkUsage {
  readonly bytes_sent: number;
  readonly bytes_received: number;
}

export interface NetworkMeter {
  /** Stops metering and returns the bytes since `startNetworkMeter`. Later calls return the same. */
  stop(): NetworkUsage;
}

const CONNECTED = "undici:client:connected";

/**
 * Starts counting network bytes (the process's CPU, memory and wall time are the process meter's,
 * src/observe/process-meter.ts). Bytes come from the sockets that fetch (undici, which the openai
 * SDK uses) connects, seen through the `undici:client:connected` diagnostics channel: counted when a
 * socket closes, or at `stop` for those still open.
 */
export function startNetworkMeter(): NetworkMeter {
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
  let result: NetworkUsage | undefined;

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
      result = { bytes_sent: sent, bytes_received: received };
      return result;
    },
  };
}
