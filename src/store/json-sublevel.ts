import type { Level } from "level";

/** The store's root LevelDB: string keys, values of any encoding its sublevels choose. */
export type Db = Level<string, unknown>;

/** A JSON-valued sublevel of the root with string keys; an array names a nested one (`[run, "d"]`). */
export const jsonSublevel = (db: Db, name: string | string[]) => db.sublevel<string, unknown>(name, { valueEncoding: "json" });

export type JsonSublevel = ReturnType<typeof jsonSublevel>;
