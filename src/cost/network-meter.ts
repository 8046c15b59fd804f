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
const HTTP_REQUEST = "http.client.request.start";

/**
 * Starts counting network bytes (the process's CPU, memory and wall time are the process meter's,
 * src/observe/process-meter.ts). Bytes come from the sockets the SDK's requests go out on: node:http's
 * (`httpFetch`, seen through the `http.client.request.start` diagnostics channel) and fetch's (undici,
 * for what `httpFetch` hands to it, through `undici:client:connected`); each counted when it closes, or at
 * `stop` for those still open.
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
  const track = (socket: Socket | undefined) => {
    if (!socket || open.has(socket)) return;
    open.add(socket);
    socket.once("close", onClose(socket));
  };
  const onConnected = (message: unknown) => track((message as { socket?: Socket } | undefined)?.socket);
  const onRequest = (message: unknown) => {
    const request = (message as { request?: { socket?: Socket | null; once(event: "socket", listener: (socket: Socket) => void): unknown } } | undefined)?.request;
    if (!request) return;
    // A pooled socket is there already; a new one may come later.
    if (request.socket) track(request.socket);
    else request.once("socket", track);
  };
  dc.subscribe(CONNECTED, onConnected);
  dc.subscribe(HTTP_REQUEST, onRequest);
  let result: NetworkUsage | undefined;

  return {
    stop() {
      if (result) return result;
      dc.unsubscribe(CONNECTED, onConnected);
      dc.unsubscribe(HTTP_REQUEST, onRequest);
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
