import { describe, expect, it } from 'vitest';
import { goneReason, LINK_TOKEN_PATTERN, linkHash, messageStatus, newLinkToken, type Message } from '#shared/messages/message';
import { SendMessageRequest } from '#shared/messages/schemas';
import { sealedNoticeSms } from '#shared/messages/sms-text';

const t0 = Date.parse('2026-11-22T10:00:00Z');
const m = (over: Partial<Message> = {}): Message => ({
  id: 'id', clientId: 'c', status: 'sent', category: 'transactional', delivery: 'sealed', burnAfterRead: true, phoneIndex: 'i',
  phoneMask: '+4474******56', country: 'GB', sealedRecipient: 'r', sealedBody: 'b', createdAt: t0, expiresAt: t0 + 3_600_000,
  openAttempts: 0, maxOpenAttempts: 5, openSends: 0, ...over,
});

describe('message rules', () => {
  it('derives expired from the server clock, whatever TTL has done', () => {
    expect(messageStatus(m(), t0 + 3_599_999)).toBe('sent');
    expect(messageStatus(m(), t0 + 3_600_000)).toBe('expired');
    expect(messageStatus(m({ status: 'revoked' }), t0 + 9_999_999)).toBe('revoked');
  });

  it('says why a message can no longer be opened', () => {
    expect(goneReason(m(), t0)).toBeUndefined();
    expect(goneReason(m({ status: 'opened', sealedBody: undefined }), t0)).toBe('already_read');
    expect(goneReason(m({ status: 'opened', burnAfterRead: false }), t0)).toBeUndefined();
    expect(goneReason(m({ openAttempts: 5 }), t0)).toBe('max_attempts_reached');
    expect(goneReason(m({ status: 'revoked', sealedBody: undefined }), t0)).toBe('revoked');
    expect(goneReason(m(), t0 + 3_600_000)).toBe('expired');
  });

  it('makes link tokens of 256 random bits and stores only their hash', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newLinkToken));
    expect(tokens.size).toBe(1000);
    for (const t of [...tokens].slice(0, 10)) {
      expect(t).toMatch(LINK_TOKEN_PATTERN);
      expect(Buffer.from(t, 'base64url')).toHaveLength(32);
      expect(linkHash(t)).not.toContain(t);
    }
  });

  it('keeps the body out of the sealed notice', () => {
    const text = sealedNoticeSms('Acme Bank', 'https://x.example/m/abc', t0);
    expect(text).toContain('https://x.example/m/abc');
    expect(text).toContain('Acme Bank');
    expect(text.length).toBeLessThan(320);
  });

  it('validates the send request as the contract says', () => {
    const ok = SendMessageRequest.parse({ to: '+447400123456', body: 'hi' });
    // The category defaults to transactional when the content is resolved (messages/content.ts): a template has its own.
    expect(ok).toMatchObject({ delivery: 'sealed', ttlSeconds: 86_400, burnAfterRead: true });
    expect(SendMessageRequest.safeParse({ to: '+447400123456' }).success).toBe(false);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', body: 'x', templateId: 'A'.repeat(22) }).success).toBe(false);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', body: 'x', variables: { a: 'b' } }).success).toBe(false);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', templateId: 'A'.repeat(22), variables: { name: 'Ann' } }).success).toBe(true);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', body: 'x'.repeat(613), delivery: 'direct' }).success).toBe(false);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', body: 'x'.repeat(4001) }).success).toBe(false);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', body: 'x', ttlSeconds: 299 }).success).toBe(false);
    expect(SendMessageRequest.safeParse({ to: '+447400123456', body: '' }).success).toBe(false);
  });
});
