import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ALL_SCOPES } from '#shared/http/scopes';

/**
 * The local stand-in for the Cognito token endpoint: OAuth 2.0 client credentials with HTTP Basic
 * client authentication, issuing short-lived HS256 JWTs whose claims match a Cognito access token
 * (`client_id`, space-separated `scope`, `token_use: access`).
 */
const Clients = z.array(z.object({ clientId: z.string(), clientSecret: z.string(), scopes: z.array(z.string()) }));
export type LocalClient = z.infer<typeof Clients>[number];
const TOKEN_TTL_SECONDS = 3600;

export function ensureClients(file: string): void {
  if (existsSync(file)) {
    // Local clients hold every scope: a scope added since the file was written is granted now.
    const clients = Clients.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (clients.every((c) => ALL_SCOPES.every((s) => c.scopes.includes(s)))) return;
    for (const c of clients) c.scopes = [...new Set([...c.scopes, ...ALL_SCOPES])];
    writeFileSync(file, JSON.stringify(clients, null, 2), { mode: 0o600 });
    return;
  }
  const client = (clientId: string): LocalClient => ({
    clientId,
    clientSecret: randomBytes(24).toString('base64url'),
    scopes: [...ALL_SCOPES],
  });
  writeFileSync(file, JSON.stringify([client('acme-bank'), client('globex-shop')], null, 2), { mode: 0o600 });
}

export function ensureTokenKey(file: string): void {
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
}

export class LocalOAuth {
  private readonly clients: LocalClient[];
  private readonly key: Buffer;
  constructor(clientsFile: string, tokenKeyFile: string, private readonly issuer: string) {
    this.clients = Clients.parse(JSON.parse(readFileSync(clientsFile, 'utf8')));
    this.key = Buffer.from(readFileSync(tokenKeyFile, 'utf8').trim(), 'base64');
  }

  /** RFC 6749 §4.4; the answer is `[status, body]`. */
  token(authorization: string | undefined, form: URLSearchParams): [number, Record<string, unknown>] {
    const client = this.authenticate(authorization);
    if (!client) return [401, { error: 'invalid_client' }];
    if (form.get('grant_type') !== 'client_credentials') return [400, { error: 'unsupported_grant_type' }];
    const asked = form.get('scope')?.split(' ').filter(Boolean);
    if (asked?.some((s) => !client.scopes.includes(s))) return [400, { error: 'invalid_scope' }];
    const scopes = asked ?? client.scopes;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: client.clientId,
      client_id: client.clientId,
      token_use: 'access',
      scope: scopes.join(' '),
      iss: this.issuer,
      iat: now,
      exp: now + TOKEN_TTL_SECONDS,
      jti: randomUUID(),
    };
    return [200, { access_token: this.sign(claims), token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS }];
  }

  /** The claims of a valid, unexpired token, as strings (as API Gateway passes Cognito claims); else undefined. */
  verify(authorization: string | undefined): Record<string, string> | undefined {
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const expected = createHmac('sha256', this.key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return undefined;
    return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)]));
  }

  private authenticate(authorization: string | undefined): LocalClient | undefined {
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '')?.[1];
    if (!basic) return undefined;
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    let id: string, secret: string;
    try {
      [id, secret] = [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
    } catch {
      return undefined;
    }
    const client = this.clients.find((c) => c.clientId === id);
    if (!client) return undefined;
    const a = Buffer.from(client.clientSecret);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b) ? client : undefined;
  }

  private sign(claims: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'local' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.key).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}
