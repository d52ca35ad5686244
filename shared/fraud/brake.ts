import type { NewAuditEvent } from '../audit/event.ts';

/**
 * The automatic brake: when the pumping alarm fires, pause SMS to the countries whose conversion
 * (approved ÷ issued) is below the alarm's threshold with at least the alarm's minimum volume.
 * A paused country answers `403 destination_not_allowed` (reason `paused`) until ops lift it
 * (or it lapses after `pauseHours`).
 */
export type CountryTraffic = { country: string; issued: number; approved: number };

export function countriesToPause(traffic: CountryTraffic[], rule: { minSent: number; maxConversion: number }): string[] {
  return traffic
    .filter((t) => t.issued >= Math.max(5, Math.ceil(rule.minSent / 3)) && t.approved / t.issued < rule.maxConversion)
    .map((t) => t.country)
    .sort();
}

export const DEFAULT_PAUSE_HOURS = 24;

/** The port the brake owns; DynamoDB implements it (store/brake-store.ts). Each change commits with its audit event. */
export interface BrakeStore {
  pause(country: string, untilMs: number, reason: string, nowMs: number, event: NewAuditEvent): Promise<void>;
  lift(country: string, event: NewAuditEvent): Promise<void>;
}
