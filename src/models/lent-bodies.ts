/**
 * A request body lent to the SDK and the transport, and handed back to its owner (to be reused) only
 * when both are done with it: the owner's call has settled (so the SDK sends it no more) and every send
 * of it by `httpFetch` has finished writing it or closed its request. A body no send of `httpFetch`
 * took (another fetch sent it, which may still hold it) is never handed back: the collector frees it.
 */
interface Lease {
  sends: number;
  tracked: boolean;
  settled: boolean;
  readonly giveBack: () => void;
}

const leases = new WeakMap<object, Lease>();

/** Lends `body`; `giveBack` runs once it is free. Call the returned function when the owner's call has settled. */
export function lendBody(body: object, giveBack: () => void): () => void {
  const lease: Lease = { sends: 0, tracked: false, settled: false, giveBack };
  leases.set(body, lease);
  return () => {
    if (lease.settled) return;
    lease.settled = true;
    maybeGiveBack(body, lease);
  };
}

/** The transport starts writing `body`; the returned function (idempotent) says it no longer reads it. */
export function sendingBody(body: unknown): () => void {
  const lease = typeof body === "object" && body !== null ? leases.get(body) : undefined;
  if (lease === undefined) return () => undefined;
  lease.sends++;
  lease.tracked = true;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    lease.sends--;
    maybeGiveBack(body as object, lease);
  };
}

function maybeGiveBack(body: object, lease: Lease): void {
  if (!lease.settled || lease.sends > 0) return;
  leases.delete(body);
  if (lease.tracked) lease.giveBack();
}
