import { randomBytes } from 'node:crypto';

/** Opaque, URL-safe ids with 128 bits of randomness. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** An id, optionally followed by hints (a verification's country and range tag, see otp/verification.ts). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}(?:[A-Z]{2}(?:[A-Za-z0-9_-]{8})?)?$/;
