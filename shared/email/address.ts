import { domainToASCII } from 'node:url';
import { hmac } from '../crypto/hmac.ts';

/**
 * E-mail addresses (API 1.2): checked by syntax only, never by a network look-up on the request
 * path. The accepted form is RFC 5321's mailbox with a dot-atom local part (RFC 5322 `atext`, the
 * form every mail provider hands out; quoted local parts and address literals are refused) and a
 * domain of at least two labels, internationalised domains allowed and kept as their ASCII
 * (punycode) form. Limits: 64 octets for the local part, 253 for the domain, 254 for the whole
 * address as SMTP carries it. The domain is lower-cased; the local part keeps its case (RFC 5321
 * leaves it to the receiving server) but the blind index folds it, as every large provider does.
 */
export type EmailAddress = { address: string; local: string; domain: string };

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** The address in its canonical form, or why it is refused (for a 400's message). */
export function parseEmail(input: string): { ok: true; email: EmailAddress } | { ok: false; reason: string } {
  const raw = input.trim();
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return { ok: false, reason: 'Must be an address such as ann@example.com' };
  const local = raw.slice(0, at);
  const domainInput = raw.slice(at + 1).replace(/\.$/, '');
  if (utf8Length(local) > 64) return { ok: false, reason: 'The part before @ is at most 64 characters' };
  if (!ATEXT.test(local)) return { ok: false, reason: 'The part before @ has a character an address cannot have' };
  if (/[\s@]/.test(domainInput)) return { ok: false, reason: 'The domain has a character a domain cannot have' };
  const domain = domainToASCII(domainInput.toLowerCase());
  if (!domain || domain.length > 253) return { ok: false, reason: 'Not a valid domain' };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return { ok: false, reason: 'Not a valid domain' };
  const address = `${local}@${domain}`;
  if (utf8Length(address) > 254) return { ok: false, reason: 'An address is at most 254 characters' };
  return { ok: true, email: { address, local, domain } };
}

/** `a***@example.com`: the first character of the local part, and the domain (needed to tell inboxes apart). */
export const maskEmail = (e: EmailAddress) => `${e.local[0]}***@${e.domain}`;

/** The keyed blind index an address is found by (export, erasure, suppression, windows); case-folded. */
export const emailIndex = (blindIndexKey: Buffer, e: EmailAddress) => hmac(blindIndexKey, 'email', e.address.toLowerCase());
/** The keyed index of an address's domain, for the domain's shared window. */
export const emailDomainIndex = (blindIndexKey: Buffer, e: EmailAddress) => hmac(blindIndexKey, 'email-domain', e.domain);

/** The name a From header shows (`Acme <no-reply@acme.com>` → Acme), else its domain: how the business is named on our e-mail pages. */
export function senderName(from: string | undefined): string {
  if (!from) return 'Sealtext';
  const display = /^\s*"?([^"<]+?)"?\s*</.exec(from)?.[1];
  return display ?? from.replace(/^.*@/, '').replace(/>.*$/, '');
}
