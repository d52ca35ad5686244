import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/wiring/config';
import { countersFor, DEFAULT_LIMITS, parseLimitOverrides } from '#shared/ratelimit/limits';

const local = {
  DATA_TABLE_NAME: 'd', IDEMPOTENCY_TABLE_NAME: 'i', KEY_SOURCE: 'local', LOCAL_KEYS_FILE: '/k', SMS_ADAPTER: 'outbox', OUTBOX_FILE: '/o',
  ALLOWED_COUNTRIES: 'GB, US',
};

describe('parseConfig', () => {
  it('parses the local configuration', () => {
    expect(parseConfig(local)).toMatchObject({ ALLOWED_COUNTRIES: ['GB', 'US'], KEY_SOURCE: 'local', STAGE: 'dev' });
  });
  it('fails loudly, naming the variable, on a bad deploy', () => {
    expect(() => parseConfig({ ...local, KEY_SOURCE: 'kms' })).toThrow(/KMS_KEY_ARN/);
    expect(() => parseConfig({ ...local, ALLOWED_COUNTRIES: 'uk' })).toThrow(/ALLOWED_COUNTRIES/);
    expect(() => parseConfig({ ...local, DATA_TABLE_NAME: undefined })).toThrow(/DATA_TABLE_NAME/);
  });
});

describe('rate-limit windows', () => {
  it('aligns windows to their length and ends them on the boundary', () => {
    const now = Date.parse('2026-11-22T10:07:30Z');
    const short = countersFor(DEFAULT_LIMITS, { phoneIndex: 'p', clientId: 'c', prefix: 'x', country: 'GB' }, now).find((c) => c.name === 'phoneShort')!;
    expect(short.windowEndsAt).toBe(Date.parse('2026-11-22T10:10:00Z'));
    expect(short.limit).toBe(5);
  });
  it('takes overrides per limit and rejects unknown names', () => {
    expect(parseLimitOverrides('{"prefix":{"limit":1000,"windowSeconds":3600}}').prefix.limit).toBe(1000);
    expect(parseLimitOverrides(undefined)).toEqual(DEFAULT_LIMITS);
    expect(() => parseLimitOverrides('{"nope":{"limit":1,"windowSeconds":1}}')).toThrow();
  });
});
