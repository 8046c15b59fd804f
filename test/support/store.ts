import { CheckpointStore } from "../../src/store/checkpoint-store.js";

/** The ids a store's (only) run recorded as ok: what a rerun of it must not send again. */
export async function recordedOkIds(store: string): Promise<Set<string>> {
  const s = await CheckpointStore.open(store, { create: false });
  try {
    const [meta] = await s.listRuns();
    const ids = new Set<string>();
    for await (const line of s.run(meta!.run).results()) if (line.status === "ok") ids.add(line.id);
    return ids;
  } finally {
    await s.close();
  }
}
