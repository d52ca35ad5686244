import { describe, expect, it } from 'vitest';
import { canResend, closedReason, effectiveStatus } from '#shared/otp/state';
import type { Verification } from '#shared/otp/verification';

const t0 = Date.parse('2026-11-22T10:00:00Z');
const v = (over: Partial<Verification> = {}): Verification => ({
  id: 'id', clientId: 'c', status: 'pending', purpose: 'login', codeHash: 'h', codeLength: 6, ttlSeconds: 300,
  attempts: 0, maxAttempts: 5, sends: 1, maxSends: 5, createdAt: t0, lastSentAt: t0, expiresAt: t0 + 300_000,
  phoneIndex: 'i', phoneMask: '+4474******56', country: 'GB', sealedDelivery: 'x', locale: 'en', ...over,
});

describe('effectiveStatus', () => {
  it('is pending until the last millisecond before expiry, expired from then on', () => {
    expect(effectiveStatus(v(), t0 + 299_999)).toBe('pending');
    expect(effectiveStatus(v(), t0 + 300_000)).toBe('expired');
  });
  it('is max_attempts_reached once attempts are used up', () => {
    expect(effectiveStatus(v({ attempts: 4 }), t0)).toBe('pending');
    expect(effectiveStatus(v({ attempts: 5 }), t0)).toBe('max_attempts_reached');
  });
  it('keeps a final stored status even after expiry', () => {
    expect(effectiveStatus(v({ status: 'approved' }), t0 + 10 * 300_000)).toBe('approved');
    expect(effectiveStatus(v({ status: 'canceled' }), t0)).toBe('canceled');
  });
  it('maps approved to the 410 reason already_approved', () => {
    expect(closedReason(v({ status: 'approved' }), t0)).toBe('already_approved');
    expect(closedReason(v(), t0)).toBeUndefined();
  });
});

describe('canResend', () => {
  it('waits 30 s between sends and says how long is left', () => {
    expect(canResend(v(), t0 + 10_000, 30_000)).toEqual({ ok: false, reason: 'too_soon', retryAfterMs: 20_000 });
    expect(canResend(v(), t0 + 30_000, 30_000)).toEqual({ ok: true });
  });
  it('allows at most maxSends sends', () => {
    expect(canResend(v({ sends: 5 }), t0 + 60_000, 30_000)).toMatchObject({ ok: false, reason: 'max_sends' });
  });
  it('refuses closed verifications with their reason', () => {
    expect(canResend(v(), t0 + 300_000, 30_000)).toEqual({ ok: false, reason: 'expired' });
    expect(canResend(v({ status: 'approved' }), t0 + 60_000, 30_000)).toEqual({ ok: false, reason: 'already_approved' });
  });
});
