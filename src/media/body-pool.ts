/**
 * Buffers for request bodies with media, reused. A media body is a megabyte or more; freshly allocated
 * for each request, each is freed only when V8 next collects its Buffer, and V8 lets tens of MB of
 * such external memory pile up before it does (issue 15: +31 MB at `-c 8` with 1 MB images). A body
 * given back once sent is the next body's buffer instead: memory stays at the bodies in flight.
 *
 * Bodies under MIN_BYTES are allocated as usual (they are small garbage). The free list holds at most
 * MAX_FREE_BYTES; a buffer given back beyond it is left to the collector.
 */
const MIN_BYTES = 64 * 1024;
const MAX_FREE_BYTES = 32 * 1024 * 1024;
/** Capacities are rounded up to this, so bodies of nearby sizes share buffers. */
const STEP = 64 * 1024;

const free: ArrayBuffer[] = [];
let freeBytes = 0;
/** Buffers handed out and not yet given back (a second give, or a foreign buffer, is ignored). */
const out = new WeakSet<ArrayBuffer>();

/** A buffer of exactly `size` bytes (contents undefined): a free one that fits (at most twice the size), else a new one. */
export function takeBody(size: number): Buffer {
  if (size < MIN_BYTES) return Buffer.allocUnsafe(size);
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const cap = free[i]!.byteLength;
    if (cap >= size && cap <= 2 * size && (best < 0 || cap < free[best]!.byteLength)) best = i;
  }
  let ab: ArrayBuffer;
  if (best >= 0) {
    ab = free[best]!;
    free.splice(best, 1);
    freeBytes -= ab.byteLength;
  } else {
    ab = Buffer.allocUnsafeSlow(Math.ceil(size / STEP) * STEP).buffer;
  }
  out.add(ab);
  return Buffer.from(ab, 0, size);
}

/** Gives back a buffer from takeBody once nothing reads it any more: it may be the next body at once. */
export function giveBody(body: Buffer): void {
  const ab = body.buffer as ArrayBuffer;
  if (!out.delete(ab)) return;
  if (freeBytes + ab.byteLength > MAX_FREE_BYTES) return;
  free.push(ab);
  freeBytes += ab.byteLength;
}

/** How many bytes the free list holds (for tests). */
export function freeBodyBytes(): number {
  return freeBytes;
}
