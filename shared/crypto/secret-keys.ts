/** The HMAC keys: one for code hashes, one for the phone-number blind index. Never logged. */
export type SecretKeys = {
  codeHashKey: Buffer;
  blindIndexKey: Buffer;
};
