import type { MetadataJson } from 'libphonenumber-js/core';

/**
 * The numbering-plan metadata the functions parse with: libphonenumber-js's complete ("max") set
 * (validation digit by digit and number types, which the fraud rules need), minus what only
 * formatting uses. Sealtext parses strict E.164 and never formats a number for display, and the
 * formatting rules are a third of the set: about 50 KiB off every bundle that parses numbers.
 * `npm run phone:plans` writes numbering-plans.data.ts from the installed libphonenumber-js; a unit test
 * fails when the two differ (after an upgrade) and checks both parse alike.
 */
const FORMATS = 4; // index of a plan's formatting rules in libphonenumber-js's compressed metadata (version 4)

export function parsingMetadata(max: MetadataJson): MetadataJson {
  const json = max as unknown as { version: number; countries: Record<string, unknown[]>; nonGeographic?: Record<string, unknown[]> };
  if (json.version !== 4) throw new Error(`libphonenumber-js metadata version ${json.version}: check the layout before stripping`);
  const strip = (plans: Record<string, unknown[]> = {}) => Object.fromEntries(Object.entries(plans).map(([k, plan]) => [k, plan.map((v, i) => (i === FORMATS ? [] : v))]));
  return { ...json, countries: strip(json.countries), nonGeographic: strip(json.nonGeographic) } as unknown as MetadataJson;
}
