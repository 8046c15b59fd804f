import type { QueueClient } from "./queue-client.js";

/*
 * The queue's atomic steps, as Lua scripts run by QueueClient (EVALSHA, loaded again by ioredis after a
 * restart empties the script cache). Each touches only keys of one queue (one hash tag), so they run
 * on a QueueClient Cluster too. Amounts are integers (nano-dollars, tokens) kept below 2^53, exact in Lua.
 * Times come from Redis's own clock (TIME), so machines with skewed clocks agree.
 */

/** Redis's clock in ms, in Lua. */
const NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/**
 * Records a result once per work key. KEYS: done, results, meta. ARGV: key, status, line.
 * A key already recorded ok keeps its result; an error is replaced by a later ok (a retry), never
 * by another error. Returns 1 when this line is now the key's result, 0 when it was not counted.
 */
const RECORD = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and (string.sub(cur, 1, 3) == 'ok|' or ARGV[2] ~= 'ok') then return 0 end
${NOW}
local id = redis.call('XADD', KEYS[2], '*', 'key', ARGV[1], 'line', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. id)
redis.call('HSET', KEYS[3], 'last_result_ms', now)
if not cur then redis.call('HINCRBY', KEYS[3], 'results', 1) else redis.call('HINCRBY', KEYS[3], 'errors', -1) end
if ARGV[2] == 'ok' then redis.call('HINCRBY', KEYS[3], 'ok', 1) else redis.call('HINCRBY', KEYS[3], 'errors', 1) end
return 1`;

/** A worker's heartbeat. KEYS: alive, meta. ARGV: worker, ttl ms. Returns Redis's clock (ms). */
const HEARTBEAT = `
${NOW}
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[2]))
redis.call('HSETNX', KEYS[2], 'started_ms', now)
return now`;

/**
 * Reserves a request's worst case in the shared budget. KEYS: budget, held-nanos, held-tokens, alive.
 * ARGV: worker, nanos, tokens. Workers whose heartbeat lapsed are dead: what they held is charged as
 * spent (their requests may have been billed), so the budget is never passed.
 * Returns {1} granted, {0} wait (fits once requests in flight settle), {-1, message} never fits.
 */
const RESERVE = `
local b = KEYS[1]
local ex = redis.call('HGET', b, 'exhausted')
if ex then return {-1, ex} end
${NOW}
local function num(v) return tonumber(v or '0') end
local limN = tonumber(redis.call('HGET', b, 'limit_nanos') or '-1')
local limT = tonumber(redis.call('HGET', b, 'limit_tokens') or '-1')
local spentN = num(redis.call('HGET', b, 'spent_nanos'))
local spentT = num(redis.call('HGET', b, 'spent_tokens'))
local alive = redis.call('HGETALL', KEYS[4])
for i = 1, #alive, 2 do
  if tonumber(alive[i + 1]) < now and alive[i] ~= ARGV[1] then
    spentN = spentN + num(redis.call('HGET', KEYS[2], alive[i]))
    spentT = spentT + num(redis.call('HGET', KEYS[3], alive[i]))
    redis.call('HDEL', KEYS[2], alive[i])
    redis.call('HDEL', KEYS[3], alive[i])
    redis.call('HDEL', KEYS[4], alive[i])
  end
end
redis.call('HSET', b, 'spent_nanos', string.format('%.0f', spentN), 'spent_tokens', string.format('%.0f', spentT))
local needN = tonumber(ARGV[2])
local needT = tonumber(ARGV[3])
if (limN >= 0 and spentN + needN > limN) or (limT >= 0 and spentT + needT > limT) then
  local msg
  if limN >= 0 and spentN + needN > limN then
    msg = string.format('$%.6g of $%.6g spent (all workers); the next request\\'s worst case ($%.6g) does not fit in the $%.6g left', spentN / 1e9, limN / 1e9, needN / 1e9, (limN - spentN) / 1e9)
  else
    msg = string.format('%.0f of %.0f tokens spent (all workers); the next request\\'s worst case (%.0f tokens) does not fit in the %.0f left', spentT, limT, needT, limT - spentT)
  end
  redis.call('HSET', b, 'exhausted', msg)
  return {-1, msg}
end
local resN, resT = 0, 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do resN = resN + tonumber(v) end
for _, v in ipairs(redis.call('HVALS', KEYS[3])) do resT = resT + tonumber(v) end
if (limN >= 0 and spentN + resN + needN > limN) or (limT >= 0 and spentT + resT + needT > limT) then return {0} end
redis.call('HINCRBY', KEYS[2], ARGV[1], string.format('%.0f', needN))
redis.call('HINCRBY', KEYS[3], ARGV[1], string.format('%.0f', needT))
return {1}`;

/**
 * Settles a reservation at its real cost. KEYS: budget, held-nanos, held-tokens. ARGV: worker,
 * reserved nanos, reserved tokens, actual nanos, actual tokens. A worker declared dead meanwhile had
 * its holds charged already: nothing more is counted.
 */
const SETTLE = `
local h = redis.call('HGET', KEYS[2], ARGV[1])
if not h then return 0 end
local function release(key, by)
  local v = tonumber(redis.call('HGET', key, ARGV[1]) or '0') - tonumber(by)
  if v <= 0 then redis.call('HDEL', key, ARGV[1]) else redis.call('HSET', key, ARGV[1], string.format('%.0f', v)) end
end
release(KEYS[2], ARGV[2])
release(KEYS[3], ARGV[3])
redis.call('HINCRBY', KEYS[1], 'spent_nanos', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'spent_tokens', ARGV[5])
return 1`;

/** The time a rate script works at: ARGV[4] when given (a test's virtual clock), else Redis's clock. */
const NOW_OR_ARG = `local now
if ARGV[4] and ARGV[4] ~= '' then now = tonumber(ARGV[4]) else ${NOW.replace("local now = ", "now = ")} end`;

/**
 * Takes n tokens from a shared token bucket. KEYS: bucket. ARGV: n, capacity, refill per ms[, now ms].
 * Returns 0 when taken, else the ms to wait before asking again. A request larger than the burst
 * goes out when the bucket is full and leaves it in debt (as TokenBucket does in one process).
 */
const TAKE = `
${NOW_OR_ARG}
local cap = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local n = tonumber(ARGV[1])
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or ARGV[2])
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
level = math.min(cap, level + (now - at) * rate)
local need = math.min(n, cap)
local wait = 0
if level >= need - 1e-9 then level = level - n else wait = math.max(1, math.ceil((need - level) / rate)) end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 120000)
return wait`;

/** Gives tokens back to a bucket (or takes more). KEYS: bucket. ARGV: delta, capacity, refill per ms[, now ms]. */
const ADJUST = `
${NOW_OR_ARG}
local cap = tonumber(ARGV[2])
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or ARGV[2])
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
level = math.min(cap, level + (now - at) * tonumber(ARGV[3]) + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 120000)
return 1`;

const SCRIPTS = {
  seRecord: { numberOfKeys: 3, lua: RECORD },
  seHeartbeat: { numberOfKeys: 2, lua: HEARTBEAT },
  seReserve: { numberOfKeys: 4, lua: RESERVE },
  seSettle: { numberOfKeys: 3, lua: SETTLE },
  seTake: { numberOfKeys: 1, lua: TAKE },
  seAdjust: { numberOfKeys: 1, lua: ADJUST },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** Adds the queue's scripts to a client (as ioredis commands, sent by EVALSHA with a fallback to EVAL). */
export function defineQueueScripts(redis: QueueClient): void {
  for (const [name, def] of Object.entries(SCRIPTS)) redis.defineCommand(name, def);
}

/** Runs one of the queue's scripts: `keys` then `args`. */
export function runScript<T = unknown>(redis: QueueClient, name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<T> {
  const command = (redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<T>>)[name];
  return command.call(redis, ...keys, ...args);
}
