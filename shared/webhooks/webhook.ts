import type { NewAuditEvent } from '../audit/event.ts';
import type { Envelope, EncryptionContext } from '../crypto/envelope.ts';
import { NotFound, ValidationFailed } from '../errors.ts';
import { SCOPES } from '../http/scopes.ts';
import { urlProblem, type UrlPolicy } from './endpoint.ts';
import { newWebhookSecret } from './signature.ts';
import type { PutWebhookRequest } from './schemas.ts';

/**
 * One webhook per client (PUT/GET/DELETE /v1/webhook, POST /v1/webhook/rotate-secret). The secret
 * is shown once (on creation and on rotation) and kept only as an envelope under its own purpose,
 * which the deliverer alone may open. The scopes that let a client see consent and inbound events
 * are taken from its token when the webhook is saved; saving it again refreshes them.
 */
export type Webhook = {
  clientId: string;
  url: string;
  types: string[];
  /** `p2a/consent.read` / `p2a/inbound.read`, if the client held them when it saved the webhook. */
  scopes: string[];
  sealedSecret: string;
  createdAt: number;
  updatedAt: number;
};

export const secretContext = (clientId: string): EncryptionContext => ({ app: 'sealtext', purpose: 'webhook-secret', record: clientId });

/** The port: DynamoDB (adapters/store/webhook-store.ts). Each change commits with its audit event. */
export interface WebhookStore {
  get(clientId: string): Promise<Webhook | undefined>;
  /**
   * Saves if the stored webhook is still the one read (`seen`, by its sealed secret; undefined: none
   * yet), so two concurrent saves cannot hand out two secrets of which only one works. False if not.
   */
  put(webhook: Webhook, seen: Webhook | undefined, event: NewAuditEvent): Promise<boolean>;
  delete(clientId: string, event: NewAuditEvent): Promise<boolean>;
  /** Every saved webhook (the publisher's consent and inbound fan-out; one per client, so few). */
  list(): Promise<Webhook[]>;
}

export type WebhookDeps = { webhooks: WebhookStore; envelope: Envelope; urlPolicy: UrlPolicy; now: () => number };
type Caller = { clientId: string; scopes: ReadonlySet<string> };

const EVENT_SCOPES: readonly string[] = [SCOPES.consentRead, SCOPES.inboundRead];
const view = (w: Webhook) => ({ url: w.url, types: w.types, createdAt: new Date(w.createdAt).toISOString(), updatedAt: new Date(w.updatedAt).toISOString() });
const event = (clientId: string, outcome: string): NewAuditEvent => ({ actor: clientId, action: 'webhook.change', outcome });

/** Read, change, save if unchanged meanwhile; a lost race is simply run again against the newer state. */
async function change<T>(deps: Pick<WebhookDeps, 'webhooks'>, clientId: string, make: (current: Webhook | undefined) => Promise<{ next: Webhook; outcome: string; answer: T }>): Promise<T> {
  for (;;) {
    const current = await deps.webhooks.get(clientId);
    const { next, outcome, answer } = await make(current);
    if (await deps.webhooks.put(next, current, event(clientId, outcome))) return answer;
  }
}

export async function putWebhook(deps: WebhookDeps, caller: Caller, input: PutWebhookRequest) {
  const problem = urlProblem(input.url, deps.urlPolicy);
  if (problem) throw new ValidationFailed([{ path: 'url', message: problem }]);
  return change(deps, caller.clientId, async (current) => {
  const now = deps.now();
  const secret = current ? undefined : newWebhookSecret();
  const webhook: Webhook = {
    clientId: caller.clientId,
    url: input.url,
    types: [...new Set(input.types)],
    scopes: EVENT_SCOPES.filter((s) => caller.scopes.has(s)),
    sealedSecret: current?.sealedSecret ?? (await deps.envelope.seal(secret!, secretContext(caller.clientId))),
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
  };
  return { next: webhook, outcome: current ? 'updated' : 'created', answer: { ...view(webhook), ...(secret ? { secret } : {}) } };
  });
}

export async function getWebhook(deps: Pick<WebhookDeps, 'webhooks'>, clientId: string) {
  const w = await deps.webhooks.get(clientId);
  if (!w) throw new NotFound();
  return view(w);
}

export async function deleteWebhook(deps: Pick<WebhookDeps, 'webhooks'>, clientId: string) {
  if (!(await deps.webhooks.delete(clientId, event(clientId, 'deleted')))) throw new NotFound();
  return { status: 'deleted' as const };
}

/** A new secret at once; deliveries already queued are signed with the new one from then on. */
export async function rotateWebhookSecret(deps: WebhookDeps, clientId: string) {
  return change(deps, clientId, async (current) => {
    if (!current) throw new NotFound();
    const secret = newWebhookSecret();
    const rotated = { ...current, sealedSecret: await deps.envelope.seal(secret, secretContext(clientId)), updatedAt: deps.now() };
    return { next: rotated, outcome: 'secret_rotated', answer: { ...view(rotated), secret } };
  });
}
