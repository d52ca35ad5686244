import { countriesToPause, DEFAULT_PAUSE_HOURS, type BrakeStore, type CountryTraffic } from './brake.ts';

/** Pauses the offending countries and says which; used by the AWS brake function and the local stack. */
export async function tripBrake(
  deps: { brakes: BrakeStore; now: () => number },
  traffic: CountryTraffic[],
  rule: { minSent: number; maxConversion: number },
  pauseHours = DEFAULT_PAUSE_HOURS,
): Promise<string[]> {
  const countries = countriesToPause(traffic, rule);
  const now = deps.now();
  for (const country of countries) {
    await deps.brakes.pause(country, now + pauseHours * 3_600_000, 'sms_pumping_alarm', now, { actor: 'system', action: 'brake.trip', outcome: country });
  }
  return countries;
}
