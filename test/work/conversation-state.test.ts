import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { describe, expect, it } from "vitest";
import { memoryConversationState, type TurnRecord } from "../../src/work/conversation-state.js";
import { kvConversationState } from "../../src/work/conversation-state-kv.js";

const turn = (n: number): TurnRecord => ({ user: `q${n}`, assistant: `a${n}`, finish_reason: "stop", usage: null, cost_usd: null, timing: { e2e_ms: 1, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 1 } });
const key = (id: string) => ({ task: "t", id, model: "m", repeat: 0 });

describe("conversation state", () => {
  it("in memory: saves, loads, clears, and forgets the oldest past its capacity", async () => {
    const state = memoryConversationState(2);
    await state.saveTurn(key("a"), [turn(1)]);
    await state.saveTurn(key("b"), [turn(1)]);
    await state.saveTurn(key("a"), [turn(1), turn(2)]);
    await state.saveTurn(key("c"), [turn(1)]);
    expect(await state.load(key("a"))).toHaveLength(2);
    expect(await state.load(key("b"))).toBeUndefined();
    await state.clear(key("a"));
    expect(await state.load(key("a"))).toBeUndefined();
    expect(() => memoryConversationState(0)).toThrow("Expected `capacity` to be an integer >= 1, got 0");
  });

  it("in LevelDB: the turns survive closing and reopening the database", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-conv-"));
    try {
      const open = async () => {
        const db = new Level<string, unknown>(dir, { valueEncoding: "json" });
        await db.open();
        return db;
      };
      let db = await open();
      await kvConversationState(db.sublevel<string, unknown>("c", { valueEncoding: "json" })).saveTurn(key("a"), [turn(1)]);
      await db.close();
      db = await open();
      const state = kvConversationState(db.sublevel<string, unknown>("c", { valueEncoding: "json" }));
      expect(await state.load(key("a"))).toEqual([turn(1)]);
      expect(await state.load(key("b"))).toBeUndefined();
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
