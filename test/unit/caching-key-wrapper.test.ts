import { describe, expect, it } from 'vitest';
import { CachingKeyWrapper } from '#shared/crypto/caching-key-wrapper';
import { DecryptionFailed, Envelope, type EncryptionContext } from '#shared/crypto/envelope';
import { MemoryKeyWrapper } from '../support/fake-otp-deps.ts';

/** Counts calls to the key service behind the cache. */
class CountingWrapper extends MemoryKeyWrapper {
  generated = 0;
  unwrapped = 0;
  override async generateDataKey(context: Record<string, string>) {
    this.generated++;
    return super.generateDataKey(context);
  }
  override async unwrapDataKey(wrapped: Buffer, context: Record<string, string>) {
    this.unwrapped++;
    return super.unwrapDataKey(wrapped, context);
  }
}
const ctx = (record: string, purpose = 'message-body'): EncryptionContext => ({ app: 'sealtext', purpose, record });

describe('CachingKeyWrapper', () => {
  it('reuses a data key per purpose within the use bound, then asks for a new one', async () => {
    const inner = new CountingWrapper();
    const envelope = new Envelope(new CachingKeyWrapper(inner, { maxAgeMs: 60_000, maxUses: 3, maxEntries: 10 }));
    for (let i = 0; i < 7; i++) await envelope.seal('x', ctx(`r${i}`));
    expect(inner.generated).toBe(3); // uses 1-3, 4-6, 7
    await envelope.seal('x', ctx('r', 'message-recipient'));
    expect(inner.generated).toBe(4);
  });

  it('asks for a new data key once the age bound passes', async () => {
    const inner = new CountingWrapper();
    let now = 0;
    const envelope = new Envelope(new CachingKeyWrapper(inner, { maxAgeMs: 1000, maxUses: 100, maxEntries: 10 }, () => now));
    await envelope.seal('x', ctx('a'));
    now = 999;
    await envelope.seal('x', ctx('b'));
    now = 1000;
    await envelope.seal('x', ctx('c'));
    expect(inner.generated).toBe(2);
  });

  it('still binds each ciphertext to its record: a shared data key does not open another record', async () => {
    const wrapper = new CachingKeyWrapper(new CountingWrapper());
    const envelope = new Envelope(wrapper);
    const a = await envelope.seal('for a', ctx('a'));
    await envelope.seal('for b', ctx('b'));
    expect(await envelope.open(a, ctx('a'))).toBe('for a');
    await expect(envelope.open(a, ctx('b'))).rejects.toBeInstanceOf(DecryptionFailed);
    await expect(envelope.open(a, ctx('a', 'message-recipient'))).rejects.toBeInstanceOf(DecryptionFailed);
  });

  it('unwraps a data key once for many records that share it', async () => {
    const inner = new CountingWrapper();
    const sender = new Envelope(new CachingKeyWrapper(inner));
    const sealed = await Promise.all(['a', 'b', 'c'].map(async (r) => [r, await sender.seal(r, ctx(r))] as const));
    const opener = new Envelope(new CachingKeyWrapper(inner));
    for (const [r, s] of sealed) expect(await opener.open(s, ctx(r))).toBe(r);
    expect(inner.unwrapped).toBe(1);
  });
});
