import { randomBytes } from 'node:crypto';

/** Opaque, URL-safe ids with 128 bits of randomness. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
