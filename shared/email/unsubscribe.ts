import { digestsEqual, hmac } from '../crypto/hmac.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { ValidationFailed } from '../errors.ts';

/**
 * One-click unsubscribe (RFC 8058) for promotional e-mail. The link names the address only by its
 * keyed blind index, with a keyed tag so no one can unsubscribe an address they did not receive
 * mail at: `<blind index>.<tag>`. Nothing in the link or the page says the address itself.
 */
const TAG_LENGTH = 22; // 128 bits of the HMAC, base64url
const tagOf = (keys: Pick<SecretKeys, 'blindIndexKey'>, index: string) => hmac(keys.blindIndexKey, 'unsubscribe', index).slice(0, TAG_LENGTH);

export const unsubscribeToken = (keys: Pick<SecretKeys, 'blindIndexKey'>, emailIndex: string) => `${emailIndex}.${tagOf(keys, emailIndex)}`;

/** The address's blind index, if the token is one we made; else undefined (the page then says "not found"). */
export function emailIndexOfToken(keys: Pick<SecretKeys, 'blindIndexKey'>, token: string): string | undefined {
  const match = /^([\w-]{43})\.([\w-]{22})$/.exec(token);
  if (!match) return undefined;
  return digestsEqual(match[2]!, tagOf(keys, match[1]!)) ? match[1] : undefined;
}

/** The headers a promotional e-mail carries: the https link and the one-click POST (RFC 8058 §3.1). */
export const unsubscribeHeaders = (url: string) => [
  { name: 'List-Unsubscribe', value: `<${url}>` },
  { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
];

/**
 * The one-click POST's body (RFC 8058 §3.2): `List-Unsubscribe=One-Click`, form-encoded (or as a
 * multipart form field). Anything else is refused with nothing changed.
 */
export function isOneClickBody(contentType: string | undefined, raw: string): boolean {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams(raw).get('List-Unsubscribe') === 'One-Click';
  if (type.startsWith('multipart/form-data')) return /name="List-Unsubscribe"\r?\n\r?\nOne-Click\r?\n/.test(raw);
  return false;
}

export const notOneClick = () => new ValidationFailed([{ path: 'List-Unsubscribe', message: 'Must be One-Click (RFC 8058), form-encoded' }]);
