import { hmac } from '../crypto/hmac.ts';

/**
 * The recipient check: a question only the intended person can answer (date of birth, postcode),
 * asked on the page after the code, so a message texted to the wrong number stays closed. The
 * answer is kept only as a keyed hash of its normalised form, bound to the message.
 */

/** Case, spaces and punctuation ignored: "01/04/1980", "01 04 1980" and "01041980" are the same answer. */
export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

export const answerHash = (codeHashKey: Buffer, messageId: string, answer: string) => hmac(codeHashKey, 'answer', messageId, normaliseAnswer(answer));
