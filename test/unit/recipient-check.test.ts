import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerHash, normaliseAnswer } from '#shared/messages/recipient-check';

describe('recipient check answers', () => {
  it('normalises answers: case, spaces and punctuation ignored, letters and digits kept', () => {
    expect(normaliseAnswer('01/04/1980')).toBe(normaliseAnswer(' 01 04 1980 '));
    expect(normaliseAnswer('SW1A 1AA')).toBe('sw1a1aa');
    expect(normaliseAnswer('Müller-Lüdenscheidt')).toBe('müllerlüdenscheidt');
    expect(normaliseAnswer('01/04/1980')).not.toBe(normaliseAnswer('02/04/1980'));
  });

  it('hashes with the key and the message: the same answer differs per message, and the hash holds no answer', () => {
    const key = randomBytes(32);
    expect(answerHash(key, 'm1', '01/04/1980')).toBe(answerHash(key, 'm1', '01041980'));
    expect(answerHash(key, 'm1', '01/04/1980')).not.toBe(answerHash(key, 'm2', '01/04/1980'));
    expect(answerHash(key, 'm1', '01/04/1980')).not.toContain('1980');
  });
});
