import * as z from '../zod.ts';
import { intIn } from '../schema.ts';

/**
 * Fixed-window counters. Each send consumes one unit from every applicable window in the same
 * DynamoDB transaction as the write it guards; a full window cancels the whole transaction, so a
 * refused request consumes nothing. Windows align to multiples of their length (epoch seconds).
 * Windows that many requests share (a client, a destination range, a country) are split into
 * shards so that no item is written by every request (docs/limits.md: the error this allows).
 */
export const LimitRule = z.strictObject({
  limit: z.int().check(z.positive()),
  windowSeconds: intIn(1, 86_400 * 7),
});
export type LimitRule = z.infer<typeof LimitRule>;

/** Windows every send consumes. */
const SendLimitName = z.enum(['phoneShort', 'phoneDaily', 'client', 'ip', 'user', 'prefix', 'country', 'emailShort', 'emailDaily', 'emailDomain']);
/** Windows of failed verifications per number, across verifications (brute force). */
const FailureLimitName = z.enum(['failedVerifyShort', 'failedVerifyDaily']);
/** Look-ups a client may make: provenance checks (each one a guess at a text). */
const LookupLimitName = z.enum(['provenance']);
export const LimitName = z.enum([...SendLimitName.options, ...FailureLimitName.options, ...LookupLimitName.options]);
export type LimitName = z.infer<typeof LimitName>;
type SendLimitName = z.infer<typeof SendLimitName>;
export type LimitRules = Record<LimitName, LimitRule>;

/** Defaults, documented in docs/limits.md; override with RATE_LIMITS (JSON) per deploy. */
export const DEFAULT_LIMITS: LimitRules = {
  phoneShort: { limit: 5, windowSeconds: 600 },
  phoneDaily: { limit: 20, windowSeconds: 86_400 },
  client: { limit: 300, windowSeconds: 60 },
  // Per end user, from the `signals` the app sends (never the app's own address).
  ip: { limit: 30, windowSeconds: 60 },
  user: { limit: 10, windowSeconds: 600 },
  prefix: { limit: 60, windowSeconds: 3_600 },
  country: { limit: 1_000, windowSeconds: 3_600 },
  // API 1.2: an e-mail address has its own windows, and its domain a shared one (a flood at one mailbox provider).
  emailShort: { limit: 5, windowSeconds: 600 },
  emailDaily: { limit: 20, windowSeconds: 86_400 },
  emailDomain: { limit: 1_000, windowSeconds: 3_600 },
  // NIST SP 800-63B caps consecutive failures at 100; we count all failures in the window, lower.
  failedVerifyShort: { limit: 10, windowSeconds: 3_600 },
  failedVerifyDaily: { limit: 30, windowSeconds: 86_400 },
  // Support answers a forwarded text in one call; a client guessing texts is stopped early.
  provenance: { limit: 60, windowSeconds: 60 },
};

export function parseLimitOverrides(json: string | undefined): LimitRules {
  if (!json) return DEFAULT_LIMITS;
  const overrides = z.partialRecord(LimitName, LimitRule).parse(JSON.parse(json));
  return { ...DEFAULT_LIMITS, ...overrides };
}

/**
 * Windows shared by many requests (a client's, a country's, a destination range's) are split into
 * shards once their limit is large enough for that to matter: one shard per MIN_PER_SHARD units,
 * at most MAX_SHARDS. The shard count grows with the limit, and a stage's limits grow with its
 * expected volume (infra/sizing.ts), so each shard sees about the same write rate however busy the
 * stage: transaction conflicts do not grow with traffic. Small windows see few writes and stay
 * exact; per-number and per-end-user windows belong to one person and are never hot.
 */
const SHARDED_LIMITS: ReadonlySet<LimitName> = new Set(['client', 'prefix', 'country', 'emailDomain']);
const MAX_SHARDS = 64;
const MIN_PER_SHARD = 25;
export const shardsFor = (limit: number) => Math.max(1, Math.min(MAX_SHARDS, Math.floor(limit / MIN_PER_SHARD)));

export type LimitCounter = {
  name: LimitName;
  /** Storage key of this window's counter; holds no PII (blind index, client id, digits prefix). */
  key: string;
  limit: number;
  windowEndsAt: number; // epoch ms
  /** Checked, not consumed (the failed-verification windows, at send time). */
  checkOnly?: boolean;
  /** Consumed without a limit (failed verifications are counted even past it). */
  countOnly?: boolean;
  /** With countOnly: the transaction that brings the count to this value learns it (CounterReached). */
  reachAt?: number;
  /** A sharded window: this item holds one shard of it, `limit` being the shard's share. */
  shard?: { index: number; of: number; windowKey: string; windowLimit: number };
};

/** Keys are keyed hashes (number, IP, user, prefix), the client id, or the country code: no PII. */
export type LimitSubjects = {
  phoneIndex?: string; clientId: string; prefix?: string; country?: string; ip?: string; user?: string;
  /** An e-mail send's address and domain (keyed hashes) instead of the number's windows. */
  emailIndex?: string; emailDomain?: string;
};

export function counter(rules: LimitRules, name: LimitName, subject: string, nowMs: number, random: () => number = Math.random): LimitCounter {
  const { limit, windowSeconds } = rules[name];
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  const windowKey = `${name}#${subject}#${windowStart}`;
  const base = { name, limit, windowEndsAt: windowStart + windowMs };
  const shards = SHARDED_LIMITS.has(name) ? shardsFor(limit) : 1;
  if (shards === 1) return { ...base, key: windowKey };
  return onShard({ ...base, key: windowKey, shard: { index: 0, of: shards, windowKey, windowLimit: limit } }, Math.floor(random() * shards));
}

/**
 * The same window on another shard. The shards' shares add up to the limit exactly (the first
 * `limit mod shards` take one more), so the window never admits more than its limit; a request
 * refused by a full shard tries up to SHARD_RETRIES others before it is refused
 * (adapters/store/rate-limit-ops.ts), which keeps early refusals to the window's last few percent.
 */
export function onShard(c: LimitCounter, index: number): LimitCounter {
  if (!c.shard) return c;
  const { windowLimit, of } = c.shard;
  return { ...c, key: `${c.shard.windowKey}#s${index}`, limit: Math.floor(windowLimit / of) + (index < windowLimit % of ? 1 : 0), shard: { ...c.shard, index } };
}
/** Other shards a request tries when its shard is full, each a transaction of its own (the rare path near the limit). */
export const SHARD_RETRIES = 3;

export function countersFor(rules: LimitRules, subjects: LimitSubjects, nowMs: number): LimitCounter[] {
  const subjectOf: Record<SendLimitName, string | undefined> = {
    phoneShort: subjects.phoneIndex,
    phoneDaily: subjects.phoneIndex,
    client: subjects.clientId,
    ip: subjects.ip,
    user: subjects.user,
    prefix: subjects.prefix,
    country: subjects.country,
    emailShort: subjects.emailIndex,
    emailDaily: subjects.emailIndex,
    emailDomain: subjects.emailDomain,
  };
  return SendLimitName.options.flatMap((name) => {
    const subject = subjectOf[name];
    return subject === undefined ? [] : [counter(rules, name, subject, nowMs)];
  });
}

/** The failed-verification windows of one number. */
export function failureCounters(rules: LimitRules, phoneIndex: string, nowMs: number): LimitCounter[] {
  return FailureLimitName.options.map((name) => counter(rules, name, phoneIndex, nowMs));
}
