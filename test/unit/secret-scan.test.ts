import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertNoSecretsLogged } from '../support/local-stack-setup.ts';

/** The teardown scan over every stack log must be able to fail: planted secrets are found, counts only. */
function stackDir(log: string) {
  const dir = mkdtempSync(join(tmpdir(), 'scan-'));
  writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ clientId: 'c', clientSecret: 'S3cr3t-client-secret-value-1234567890' }]));
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ aes: 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw', hmac: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' }));
  writeFileSync(join(dir, 'stack.log'), log);
  return () => assertNoSecretsLogged(join(dir, 'stack.log'), dir);
}

describe('the secrets scan of stack logs', () => {
  it('passes masks, request ids and the outbox echo', () => {
    expect(stackDir('{"to":"+4474******56","function_request_id":"1cbaafe3-1f9b-4a69-b595-918259404849"}\n[outbox] SMS to +44740****56:\n[outbox]   +447400123456 123456\n')).not.toThrow();
  });

  it('finds a full number, a bearer token, a client secret, key material and a webhook secret, and says only how many', () => {
    for (const leak of ['{"to":"+447400123456"}', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJjIn0.sig', 'secret S3cr3t-client-secret-value-1234567890', 'key QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw', 'secret whsec_v4uP2ec+UGDOinUvsv9mJgFdJj5T+SvMWC8mkWAifIU=']) {
      const scan = stackDir(`ok line\n${leak}\n`);
      expect(scan, leak).toThrow(/The stack logged secrets/);
      try {
        scan();
      } catch (error) {
        expect(String(error)).not.toContain(leak.split(' ').at(-1)!);
      }
    }
  });
});
