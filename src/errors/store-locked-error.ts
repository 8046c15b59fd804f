/** Who holds a store, as its owner file says (best effort: the LevelDB lock is what really decides). */
export interface StoreOwner {
  readonly pid: number;
  readonly run?: string;
  readonly command?: string;
  readonly since?: string;
}

/**
 * The checkpoint store is open in another process (or another handle in this one). LevelDB's own
 * lock refused it, so nothing was read or written; the other process is named when it said who it is.
 */
export class StoreLockedError extends Error {
  override readonly name = "StoreLockedError";
  readonly code = "E_STORE_LOCKED";
  constructor(
    readonly store: string,
    readonly owner?: StoreOwner,
  ) {
    const who = owner ? `process ${owner.pid}${owner.command ? ` (${owner.command}${owner.run ? ` --run ${owner.run}` : ""})` : ""}${owner.since ? ` since ${owner.since}` : ""}` : "another process";
    super(`the store ${store} is in use by ${who}; wait for it to finish, or pass another --store`);
  }
}

/** Whether an error is a StoreLockedError. */
export const isStoreLockedError = (e: unknown): e is StoreLockedError => e instanceof StoreLockedError;
