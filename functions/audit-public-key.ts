import { sealPublicKey } from '#shared/wiring/audit-runtime';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';

/** GET /v1/audit/public-key: the PEM that verifies every seal (docs/audit.md shows openssl and Node). */
export const handler = api({ scope: SCOPES.auditRead }).handler(async () => ok({ algorithm: 'ECDSA_SHA_256' as const, publicKeyPem: await sealPublicKey().publicKeyPem() }));
