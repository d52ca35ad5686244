import { z } from 'zod';

/**
 * Fixed-window counters. Each send consumes one unit from every applicable window in the same
 * DynamoDB transaction as the write it guards; a full window cancels the whole transaction, so a
 * refused request consumes nothing. Windows align to multiples of their length (epoch seconds).
 */
export const LimitRule = z.strictObject({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().min(1).max(86_400 * 7),
});
export type LimitRule = z.infer<typeof LimitRule>;

export const LimitName = z.enum(['phoneShort', 'phoneDaily', 'client', 'prefix']);
export type LimitName = z.infer<typeof LimitName>;
export type LimitRules = Record<LimitName, LimitRule>;

/** Defaults, documented in docs/limits.md; override with RATE_LIMITS (JSON) per deploy. */
export const DEFAULT_LIMITS: LimitRules = {
  phoneShort: { limit: 5, windowSeconds: 600 },
  phoneDaily: { limit: 20, windowSeconds: 86_400 },
  client: { limit: 300, windowSeconds: 60 },
  prefix: { limit: 60, windowSeconds: 3_600 },
};

export function parseLimitOverrides(json: string | undefined): LimitRules {
  if (!json) return DEFAULT_LIMITS;
  const overrides = z.partialRecord(LimitName, LimitRule).parse(JSON.parse(json));
  return { ...DEFAULT_LIMITS, ...overrides };
}

export type LimitCounter = {
  name: LimitName;
  /** Storage key of this window's counter; holds no PII (blind index, client id, digits prefix). */
  key: string;
  limit: number;
  windowEndsAt: number; // epoch ms
};

export type LimitSubjects = { phoneIndex: string; clientId: string; prefix: string };

export function countersFor(rules: LimitRules, subjects: LimitSubjects, nowMs: number): LimitCounter[] {
  const subjectOf: Record<LimitName, string> = {
    phoneShort: subjects.phoneIndex,
    phoneDaily: subjects.phoneIndex,
    client: subjects.clientId,
    prefix: subjects.prefix,
  };
  return LimitName.options.map((name) => {
    const { limit, windowSeconds } = rules[name];
    const windowMs = windowSeconds * 1000;
    const windowStart = Math.floor(nowMs / windowMs) * windowMs;
    return { name, key: `${name}#${subjectOf[name]}#${windowStart}`, limit, windowEndsAt: windowStart + windowMs };
  });
}
