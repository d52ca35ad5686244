/**
 * When a failed webhook delivery is tried again: the Standard Webhooks schedule (5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, then 10 h twice more), each with ±10 % jitter so a receiver that comes
 * back is not hit by every retry at once. Even at the low end of the jitter the attempts span
 * more than 24 hours (33.8 h); after the last one the job goes to the dead-letter queue.
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000];
export const JITTER = 0.1;
/** Attempts in all: the first and one per step of the schedule. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1;

/**
 * The wait after failed attempt `attempt` (1 = the first delivery), or undefined when no attempt is
 * left. `scale` shortens the whole schedule (the local stack uses it; AWS runs it at 1).
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random, scale = 1): number | undefined {
  const base = RETRY_SCHEDULE_SECONDS[attempt - 1];
  if (base === undefined) return undefined;
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  return Math.max(1, Math.round(jittered * scale));
}
