import { DEFAULT_LIMITS, type LimitName, type LimitRule } from '#shared/ratelimit/limits';

/**
 * Limits sized from a stage's expected volume (`expectedCodesPerDay`), so that the windows every
 * request of a country or a client shares never refuse the business's own traffic. The assumptions
 * are stated once, here and in docs/operations.md ("Sizing"):
 * - the busiest hour carries 3× the average hour (consumer traffic peaks mid-morning and evening);
 * - resends add a quarter to the sends (every send consumes the windows, a resend too);
 * - within the busiest hour, the busiest minute carries 2× the hour's average minute;
 * - all of the volume may go to one country (a UK bank texts the UK).
 * A sized window never goes below its default; an explicit `rateLimits` entry below the need fails
 * the synth rather than refusing codes on the first busy morning.
 */
const PEAK_HOUR_FACTOR = 3;
const RESEND_FACTOR = 1.25;
const PEAK_MINUTE_FACTOR = 2;

/** Sends in the busiest hour and the busiest minute, for an expected number of codes a day. */
function expectedPeaks(codesPerDay: number) {
  const hour = (codesPerDay / 24) * PEAK_HOUR_FACTOR * RESEND_FACTOR;
  return { hour: Math.ceil(hour), minute: Math.ceil((hour / 60) * PEAK_MINUTE_FACTOR) };
}

const roundUp = (n: number, step: number) => Math.ceil(n / step) * step;

/** The windows a volume decides: `country` per hour and `client` per minute, never below their defaults. */
function sizedLimits(codesPerDay: number): Partial<Record<LimitName, LimitRule>> {
  const peak = expectedPeaks(codesPerDay);
  const sized: Partial<Record<LimitName, LimitRule>> = {};
  const country = roundUp(peak.hour, 100);
  if (country > DEFAULT_LIMITS.country.limit) sized.country = { limit: country, windowSeconds: 3_600 };
  const client = roundUp(peak.minute, 10);
  if (client > DEFAULT_LIMITS.client.limit) sized.client = { limit: client, windowSeconds: 60 };
  return sized;
}

/**
 * The overrides a stage's functions get (`RATE_LIMITS`): the sized windows, then the explicit ones.
 * Returns the problems of explicit windows too small for the expected peak, one line each.
 */
export function stageLimits(codesPerDay: number, explicit: Partial<Record<LimitName, LimitRule>> = {}) {
  const peak = expectedPeaks(codesPerDay);
  const problems: string[] = [];
  const need = { country: peak.hour / 3_600, client: peak.minute / 60 }; // sends per second at the peak
  for (const name of ['country', 'client'] as const) {
    const rule = explicit[name];
    if (rule && rule.limit / rule.windowSeconds < need[name]) {
      const per = name === 'country' ? `${peak.hour} sends in the busiest hour` : `${peak.minute} sends in the busiest minute`;
      problems.push(`rateLimits.${name}: ${rule.limit} per ${rule.windowSeconds} s refuses the expected peak (${per} for expectedCodesPerDay ${codesPerDay}, docs/operations.md "Sizing"); raise it or leave it out to have it sized`);
    }
  }
  return { limits: { ...sizedLimits(codesPerDay), ...explicit }, problems };
}

/** SMS a month at the expected volume (every send, resends included). */
const expectedSmsPerMonth = (codesPerDay: number) => Math.ceil(codesPerDay * 30.4 * RESEND_FACTOR);

/**
 * No destination is cheaper than a tenth of a US cent per SMS (AWS End User Messaging pricing), so a
 * spend limit below that for the expected month stops texting before the month ends, wherever the
 * codes go: the documented command once left $1 for a bank's 3 million texts.
 */
const FLOOR_USD_PER_SMS = 0.001;
export function spendProblems(codesPerDay: number, limitUsd: number): string[] {
  const sms = expectedSmsPerMonth(codesPerDay);
  return limitUsd < sms * FLOOR_USD_PER_SMS
    ? [`smsMonthlySpendLimitUsd: ${limitUsd} USD can't pay for the ${sms.toLocaleString('en')} SMS a month that expectedCodesPerDay ${codesPerDay} means, at any destination's price (docs/operations.md "Cost")`]
    : [];
}
