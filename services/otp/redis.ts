import type Redis from 'ioredis';
import type { OtpBinding } from '../../domain/otpBinding';
import { createRedisAttemptLimiter, LIMIT_GC_MARGIN_MS, LIMITER_LUA, limitKey } from '../limits/redis';
import { luaScript } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';
import type { IssueResult, OtpService, VerifyResult } from './index';
import { drawCode, keyedHash, otpHashes } from './otpHashes';
import { DAY_MS, HOUR_MS, OTP_LIMIT_SCOPE, otpSettings, type OtpOptions } from './otpSettings';

export type RedisOtpServiceOptions = OtpOptions & { redis: Redis; prefix: string };

/** Extra life of every key past the moment it stops mattering: TTLs collect garbage, the clock decides. */
const GC_MARGIN_MS = DAY_MS;

/*
 * Key layout (all under the prefix; every value a keyed hash, never a code, number or card in clear):
 *   otp:code:<slot>     hash — the one live code of a conversation and purpose (slot = keyed hash of both):
 *                       { id, binding, card, code, createdAt, expiresAt }. Issuing replaces it (voiding the
 *                       earlier code); use, revoke and a lock delete it.
 *   otp:id:<codeId>     hash { slot, phone } — written once at issue, so revoke can find the code and send.
 *   otp:sends:<phone>   sorted set codeId → sent at: the counted sends of a number (cooldown and caps);
 *                       revoke removes its member, sends older than a day are pruned.
 *   limit:otp:<card>    the attempt limiter's record (scope 'otp'), shared with createRedisAttemptLimiter.
 * Hashes are compared in Lua in constant time (`same`, like crypto.timingSafeEqual); HMACs are made in Node.
 */

/**
 * The checks an issue makes before it may send: the card's lock, then the number's cooldown and caps.
 * `send_block` prunes sends older than a day, then returns the block with the latest retryAt
 * (first of cooldown, hourlyCap, dailyCap on a tie), or nil. Same arithmetic as the SQLite service.
 */
const ISSUE_LUA = `${LIMITER_LUA}
local function cap_retry_at(sends, now, windowMs, cap)
  local inWindow = {}
  for _, at in ipairs(sends) do
    if at > now - windowMs then inWindow[#inWindow + 1] = at end
  end
  if #inWindow < cap then return nil end
  return inWindow[#inWindow - cap + 1] + windowMs
end

local function send_block(sendsKey, now, cooldownMs, maxHour, maxDay)
  redis.call('ZREMRANGEBYSCORE', sendsKey, '-inf', fmt(now - ${DAY_MS}))
  local raw = redis.call('ZRANGEBYSCORE', sendsKey, '(' .. fmt(now - ${DAY_MS}), '+inf', 'WITHSCORES')
  local sends = {}
  for i = 2, #raw, 2 do sends[#sends + 1] = tonumber(raw[i]) end
  local reason, retryAt = nil, nil
  local function consider(r, at)
    if at and (reason == nil or at > retryAt) then reason, retryAt = r, at end
  end
  local last = sends[#sends]
  if last and now - last < cooldownMs then consider('cooldown', last + cooldownMs) end
  consider('hourlyCap', cap_retry_at(sends, now, ${HOUR_MS}, maxHour))
  consider('dailyCap', cap_retry_at(sends, now, ${DAY_MS}, maxDay))
  return reason, retryAt
end

-- KEYS: limit, sends, slot, id (the last two only when writing).
-- ARGV: mode ('check' | 'issue'), now, cooldownMs, maxHour, maxDay,
--       then for 'issue': codeId, slot, binding, code, card, phone, expiresAt.
local now = tonumber(ARGV[2])
local lock = limit_current(KEYS[1], now)
if lock and lock.lockedUntil then return { 'locked', lock.lockedUntil } end
local reason, retryAt = send_block(KEYS[2], now, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
if reason then return { reason, retryAt } end
if ARGV[1] == 'check' then return { 'clear' } end

local codeId, expiresAt = ARGV[6], tonumber(ARGV[12])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], 'id', codeId, 'binding', ARGV[8], 'code', ARGV[9], 'card', ARGV[10],
  'createdAt', fmt(now), 'expiresAt', fmt(expiresAt))
redis.call('PEXPIRE', KEYS[3], fmt(expiresAt - now + ${GC_MARGIN_MS}))
redis.call('HSET', KEYS[4], 'slot', ARGV[7], 'phone', ARGV[11])
redis.call('PEXPIRE', KEYS[4], fmt(expiresAt - now + ${DAY_MS} + ${GC_MARGIN_MS}))
redis.call('ZADD', KEYS[2], fmt(now), codeId)
redis.call('PEXPIRE', KEYS[2], fmt(${DAY_MS} + ${GC_MARGIN_MS}))
return { 'ok' }
`;
const ISSUE = luaScript(ISSUE_LUA);

/**
 * KEYS: limit, slot. ARGV: now, binding, card, code (the hashes for what the customer typed), maxAttempts,
 * lockMs, gcMarginMs. One atomic step, so of two verifies of the same right code exactly one succeeds.
 */
const VERIFY = luaScript(`${LIMITER_LUA}
local function same(a, b)
  if type(a) ~= 'string' or #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = bit.bor(diff, bit.bxor(string.byte(a, i), string.byte(b, i))) end
  return diff == 0
end

local now = tonumber(ARGV[1])
local lock = limit_current(KEYS[1], now)
if lock and lock.lockedUntil then return { 'locked', lock.lockedUntil } end

local live = redis.call('HMGET', KEYS[2], 'id', 'binding', 'card', 'code', 'expiresAt')
-- A code issued for other details (older generation, other number, other card) is void, not wrong:
-- no attempt is counted. (Both comparisons always run, so their time does not tell which failed.)
local sameBinding = same(live[2], ARGV[2])
local sameCard = same(live[3], ARGV[3])
if not live[1] or not sameBinding or not sameCard then return { 'noCode' } end
if now >= tonumber(live[5]) then return { 'expired' } end

if not same(live[4], ARGV[4]) then
  local failed = limit_fail(KEYS[1], now, tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
  if failed[1] == 'locked' then
    redis.call('DEL', KEYS[2])
    return failed
  end
  return { 'wrong', failed[2] }
end

redis.call('DEL', KEYS[2])
redis.call('DEL', KEYS[1])
return { 'ok', live[1] }
`);

/** KEYS: slot, sends. ARGV: codeId. Voids the code if it is still the live one; the send stops counting. */
const REVOKE = luaScript(`
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
`);

function reply(value: unknown): [string, unknown] {
  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    throw new Error(`Unexpected OTP reply: ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/** The blocking replies shared by the check and the issue ('locked', 'cooldown', 'hourlyCap', 'dailyCap'). */
function refusal(tag: string, at: unknown): IssueResult | undefined {
  if (typeof at !== 'number') return undefined;
  if (tag === 'locked') return { ok: false, reason: 'locked', until: at };
  if (tag === 'cooldown' || tag === 'hourlyCap' || tag === 'dailyCap') return { ok: false, reason: tag, retryAt: at };
  return undefined;
}

/**
 * The OTP service on Redis, shared by every instance: the same results as `createSqliteOtpService` for
 * the same calls — hashes, binding, generations, voiding, cooldown, caps with the latest retryAt, revoke,
 * single use, per-card lockout. Issue and verify are each one Lua script (see the key layout above).
 */
export function createRedisOtpService({ redis, prefix, ...options }: RedisOtpServiceOptions): OtpService {
  const { secret, clock, random, newId, ttlMs, cooldownMs, lockMs, maxAttempts, maxPerHourPerNumber, maxPerDayPerNumber } =
    otpSettings(options);
  const limiter = createRedisAttemptLimiter({ redis, prefix, scope: OTP_LIMIT_SCOPE, maxAttempts, lockMs, clock });
  const { hashCard, hashPhone, bindingKey, bindingHash, codeHash } = otpHashes(secret);

  /** Which conversation and purpose a code belongs to: at most one live code per slot. */
  const slotOf = (b: OtpBinding): string => keyedHash(secret, `slot|${JSON.stringify([b.conversationId, b.purpose])}`);
  const keys = {
    limit: (cardHash: string) => limitKey(prefix, OTP_LIMIT_SCOPE, cardHash),
    sends: (phoneHash: string) => `${prefix}otp:sends:${phoneHash}`,
    code: (slot: string) => `${prefix}otp:code:${slot}`,
    id: (codeId: string) => `${prefix}otp:id:${codeId}`,
  };

  async function issue(binding: OtpBinding): Promise<IssueResult> {
    const now = clock();
    const cardHash = hashCard(binding.card);
    const phoneHash = hashPhone(binding.phone);
    const slot = slotOf(binding);
    const limits = [now, cooldownMs, maxPerHourPerNumber, maxPerDayPerNumber];

    // First the checks alone, so a refused issue draws no code and takes no id: the generators give the
    // same sequence as with SQLite. They prove nothing for the write below, which checks everything again.
    const checkKeys = [keys.limit(cardHash), keys.sends(phoneHash)];
    const [tag, at] = reply(await storeCall('otp issue', () => ISSUE.run(redis, checkKeys, ['check', ...limits])));
    const refused = refusal(tag, at);
    if (refused) return refused;

    const code = drawCode(random);
    const codeId = newId();
    const key = bindingKey(binding);
    const expiresAt = now + ttlMs;
    const hashes = [bindingHash(key), codeHash(key, code), cardHash, phoneHash];
    const args = ['issue', ...limits, codeId, slot, ...hashes, expiresAt];
    const result = reply(
      await storeCall('otp issue', () => ISSUE.run(redis, [...checkKeys, keys.code(slot), keys.id(codeId)], args)),
    );
    // Another instance sent a code to this number since the check: its refusal stands.
    const late = refusal(...result);
    if (late) return late;
    if (result[0] !== 'ok') throw new Error(`Unexpected OTP reply: ${JSON.stringify(result)}`);
    return { ok: true, code, codeId, expiresAt, resendAt: now + cooldownMs };
  }

  async function revoke(codeId: string): Promise<void> {
    // The index is written once and never changed, so reading it first races with nothing.
    const [slot, phone] = await storeCall('otp revoke', () => redis.hmget(keys.id(codeId), 'slot', 'phone'));
    if (!slot || !phone) return; // unknown (or long collected) ids are ignored
    await storeCall('otp revoke', () => REVOKE.run(redis, [keys.code(slot), keys.sends(phone)], [codeId]));
  }

  async function verify(binding: OtpBinding, code: string): Promise<VerifyResult> {
    const now = clock();
    const cardHash = hashCard(binding.card);
    const key = bindingKey(binding);
    const args = [now, bindingHash(key), cardHash, codeHash(key, code), maxAttempts, lockMs, LIMIT_GC_MARGIN_MS];
    const runKeys = [keys.limit(cardHash), keys.code(slotOf(binding))];
    const [tag, value] = reply(await storeCall('otp verify', () => VERIFY.run(redis, runKeys, args)));
    if (tag === 'ok' && typeof value === 'string') return { ok: true, codeId: value };
    if (tag === 'wrong' && typeof value === 'number') return { ok: false, reason: 'wrong', attemptsLeft: value };
    if (tag === 'locked' && typeof value === 'number') return { ok: false, reason: 'locked', until: value };
    if (tag === 'expired' || tag === 'noCode') return { ok: false, reason: tag };
    throw new Error(`Unexpected OTP reply: ${JSON.stringify([tag, value])}`);
  }

  return {
    issue,
    revoke,
    verify,
    lockedUntil: async (card) => limiter.lockedUntil(hashCard(card)),
  };
}
