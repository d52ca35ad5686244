import { recordConsent, phoneIdentity, type ConsentDeps } from '../consent/consent.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import type { SmsSender } from '../sms/sender.ts';
import type { InboundStore } from './store.ts';
import { keywordOf } from './keywords.ts';
import { AppError } from '../errors.ts';
import { checkDestination } from '../phone/destination.ts';
import type { LimitRules } from '../ratelimit/limits.ts';
import { sendCounters } from '../ratelimit/send-counters.ts';
import type { InboundSmsNotification } from './schemas.ts';

export type InboundDeps = ConsentDeps & {
  inbound: InboundStore;
  envelope: Envelope;
  keys: SecretKeys;
  sms: SmsSender;
  helpText: string;
  retentionDays: number;
  allowedCountries: ReadonlySet<string>;
  limits: LimitRules;
};

/** The HELP replies' own `client` window: a flood of spoofed HELPs is bounded like one busy client. */
const HELP_SENDER = 'system:help';

export const inboundContext = (id: string) => ({ app: 'sealtext' as const, purpose: 'inbound-body', record: id });

/**
 * One inbound text: STOP/START update consent (every change kept), HELP is answered with the help
 * text, anything else is kept encrypted, with an expiry, for the business to read.
 * Redelivery is harmless: the text's own id is the storage key.
 */
export async function receiveInbound(deps: InboundDeps, sms: InboundSmsNotification, channel: 'sms' | 'whatsapp' = 'sms') {
  const who = phoneIdentity(deps.keys, sms.originationNumber, 'originationNumber');
  const keyword = keywordOf(sms.messageBody);
  if (keyword === 'stop' || keyword === 'start') {
    // STOP on WhatsApp opts the number out of WhatsApp only (its SMS consent is its own), START back in.
    await recordConsent(deps, 'recipient', {
      phoneIndex: who.phoneIndex,
      mask: who.mask,
      category: 'all',
      status: keyword === 'stop' ? 'opted_out' : 'opted_in',
      source: `${channel}_keyword`,
      ...(channel === 'whatsapp' ? { channel } : {}),
    });
    return { kind: keyword };
  }
  // HELP is answered by SMS; on WhatsApp it is kept like any message (a reply there is the business's).
  if (keyword === 'help' && channel === 'sms') return { kind: keyword, replied: await answerHelp(deps, who) };
  const now = deps.now();
  const event = { actor: 'recipient', action: 'inbound.receive', outcome: 'stored', subjectIndex: who.phoneIndex, subjectMask: who.mask, resource: sms.inboundMessageId } as const;
  await deps.inbound.put({
    id: sms.inboundMessageId,
    phoneIndex: who.phoneIndex,
    fromMask: who.mask,
    receivedAt: now,
    expiresAt: now + deps.retentionDays * 86_400_000,
    sealedFrom: await deps.envelope.seal(who.e164, { ...inboundContext(sms.inboundMessageId), purpose: 'inbound-from' }),
    sealedBody: await deps.envelope.seal(sms.messageBody, inboundContext(sms.inboundMessageId)),
    ...(channel === 'whatsapp' ? { channel } : {}),
  }, event);
  return { kind: 'message' as const };
}

/**
 * The HELP reply is a send like any other: an inbound text's sender can be spoofed, so a premium
 * or foreign number, an opted-out one, a paused country or a full window gets no reply (its
 * refusal is audited instead, and the notification is not retried).
 */
/** The most specific word a refusal has: the destination's reason, the full window's name, or the code. */
const refusalReason = (error: AppError): string => {
  const detail = error.extra.reason ?? error.extra.limit;
  return typeof detail === 'string' ? detail : error.code;
};

async function answerHelp(deps: InboundDeps, who: { e164: string; phoneIndex: string; mask: string }): Promise<boolean> {
  const subject = { subjectIndex: who.phoneIndex, subjectMask: who.mask };
  const now = deps.now();
  try {
    const phone = checkDestination(who.e164, deps.allowedCountries);
    const counters = sendCounters(deps, { phone, phoneIndex: who.phoneIndex, clientId: HELP_SENDER }, now);
    await deps.inbound.guardReply({ phoneIndex: who.phoneIndex, country: phone.country, nowMs: now }, counters, { actor: 'recipient', action: 'inbound.receive', outcome: 'help_answered', ...subject });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await deps.audit.record({ actor: 'recipient', action: 'inbound.receive', outcome: `help_refused:${refusalReason(error)}`, ...subject });
    return false;
  }
  await deps.sms.send({ to: who.e164, text: deps.helpText });
  return true;
}

export async function listInbound(deps: Pick<InboundDeps, 'inbound' | 'envelope' | 'now'>, query: { since?: string; cursor?: string; limit: number }) {
  const page = await deps.inbound.list({ sinceMs: query.since ? Date.parse(query.since) : 0, ...(query.cursor ? { cursor: query.cursor } : {}), limit: query.limit, nowMs: deps.now() });
  return {
    messages: await Promise.all(
      page.items.map(async (m) => ({
        id: m.id,
        from: m.fromMask,
        channel: m.channel ?? 'sms',
        body: await deps.envelope.open(m.sealedBody, inboundContext(m.id)),
        receivedAt: new Date(m.receivedAt).toISOString(),
        expiresAt: new Date(m.expiresAt).toISOString(),
      })),
    ),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
