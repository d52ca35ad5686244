import { hmac } from '../crypto/hmac.ts';
import { ChannelUnavailable, ConsentRequired, DeliveryFailed, RecipientOptedOut } from '../errors.ts';
import { ChannelRejected } from '../channels/senders.ts';
import { emailIndex, maskEmail } from '../email/address.ts';
import { directEmail, sealedNoticeEmail } from '../email/message-email.ts';
import { unsubscribeHeaders, unsubscribeToken } from '../email/unsubscribe.ts';
import { whatsappDirectMessage, whatsappDirectWords, whatsappNoticeMessage, whatsappNoticeWords } from '../channels/whatsapp-message.ts';
import { emailOf } from '../otp/delivery.ts';
import { newId } from '../crypto/ids.ts';
import { deliveryError } from '../consent/carrier-opt-out.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { checkDestination } from '../phone/destination.ts';
import { maskPhone } from '../phone/phone.ts';
import { endUserKeys } from '../ratelimit/end-user.ts';
import { sendCounters } from '../ratelimit/send-counters.ts';
import type { MessageDeps } from './deps.ts';
import { bodyContext, linkHash, MESSAGE_RULES, newLinkToken, recipientContext, type Message } from './message.ts';
import type { SendMessageRequest } from './schemas.ts';
import { directSms, sealedNoticeSms } from './sms-text.ts';
import { recordSent } from '../delivery/sent.ts';
import { emailRecipient, sentText } from '../provenance/provenance.ts';
import { messageContent } from './content.ts';
import { answerHash } from './recipient-check.ts';
import { archivedCopy, archives } from './archive.ts';
import { messageView } from './views.ts';
import { queued, smsRef } from '../delivery/receipt.ts';

/**
 * POST /v1/messages. The body is sealed before anything is written; counters, the consent
 * condition, the message and its link commit together; the SMS or e-mail (notice and link, or for
 * `direct` the body itself) goes out after the commit.
 */
export async function sendMessage(deps: MessageDeps, clientId: string, input: SendMessageRequest) {
  const phone = checkDestination(input.to, deps.allowedCountries);
  // API 1.2: the notice (and later the open code) by e-mail, where the deployment has it.
  if ((input.channel === 'whatsapp' && !deps.whatsapp) || (input.channel === 'email' && !deps.email)) throw new ChannelUnavailable(input.channel);
  const email = input.channel === 'email' ? emailOf({ to: phone.e164, email: input.email }) : undefined;
  const content = await messageContent(deps, input);
  const now = deps.now();
  const id = newId();
  const sealed = input.delivery === 'sealed';
  const token = sealed ? newLinkToken() : undefined;
  const link = token ? linkHash(token) : undefined;
  const phoneIndex = hmac(deps.keys.blindIndexKey, 'phone', phone.e164);
  const brand = input.brand ?? 'Sealtext';

  const message: Message = {
    id,
    clientId,
    status: 'sent',
    category: content.category,
    ...(content.templateId ? { templateId: content.templateId, templateVersion: content.templateVersion! } : {}),
    delivery: input.delivery,
    burnAfterRead: input.burnAfterRead,
    ...(input.brand ? { brand: input.brand } : {}),
    phoneIndex,
    ...(input.signals ? { endUser: endUserKeys(deps.keys.blindIndexKey, input.signals) } : {}),
    phoneMask: maskPhone(phone.e164),
    country: phone.country,
    sealedRecipient: await deps.envelope.seal(phone.e164, recipientContext(id)),
    ...(email
      ? { channel: 'email' as const, sealedEmail: await deps.envelope.seal(email.address, recipientContext(id)), emailMask: maskEmail(email), emailIndex: emailIndex(deps.keys.blindIndexKey, email) }
      : input.channel === 'whatsapp' ? { channel: 'whatsapp' as const } : {}),
    ...(deps.archivePolicy && archives(deps.archivePolicy, content.category) ? { archivedUntil: now + deps.archivePolicy.retentionDays * 86_400_000 } : {}),
    ...(input.recipientCheck ? { checkPrompt: input.recipientCheck.prompt, checkHash: answerHash(deps.keys.codeHashKey, id, input.recipientCheck.answer) } : {}),
    ...(link ? { linkHash: link, sealedBody: await deps.envelope.seal(content.body, bodyContext(id)) } : {}),
    createdAt: now,
    expiresAt: now + input.ttlSeconds * 1000,
    openAttempts: 0,
    maxOpenAttempts: MESSAGE_RULES.maxOpenAttempts,
    openSends: 0,
    receipt: queued(now),
    smsRef: smsRef('message', id, 1),
  };
  const counters = sendCounters(deps, { phone, phoneIndex, clientId, ...(message.endUser ? { endUser: message.endUser } : {}), ...(email ? { email } : {}) }, now);
  const subject = { subjectIndex: phoneIndex, subjectMask: message.phoneMask, resource: id };
  const url = token ? `${deps.publicBaseUrl}/m/${token}` : undefined;
  const whatsapp = message.channel === 'whatsapp' ? whatsappMessage(deps, phone.e164, { brand, body: content.body, token, url, expiresAt: message.expiresAt }) : undefined;
  // What the person sees: the SMS, or WhatsApp's words (the provenance of either).
  const text = whatsapp?.text ?? (url ? sealedNoticeSms(brand, url, message.expiresAt) : directSms(brand, content.body));
  // Promotional e-mail carries one-click unsubscribe (RFC 8058): the header pair and a visible link.
  const unsubscribeUrl = email && content.category === 'promotional' ? `${deps.publicBaseUrl}/u/${unsubscribeToken(deps.keys, message.emailIndex!)}` : undefined;
  const mail = email ? (url ? sealedNoticeEmail(brand, url, message.expiresAt, { unsubscribeUrl }) : directEmail(brand, content.body, { unsubscribeUrl })) : undefined;
  // Provenance keeps what went out: the SMS's text, or the e-mail's plain-text part under the address.
  const meta = { kind: 'message' as const, id, clientId, sentAt: now, ...(content.templateId ? { templateId: content.templateId } : {}) };
  const sent = email && mail ? sentText(deps.keys, emailRecipient(email.address), message.emailIndex!, mail.text, meta) : sentText(deps.keys, phone.e164, phoneIndex, text, meta);
  // The archived copy commits with the message (the archiver moves it into the archive): a message
  // that went out is never missing from the archive, and the send never waits on it.
  const archived = message.archivedUntil !== undefined ? await archivedCopy(deps.envelope, deps.archivePolicy!, message, content.body) : undefined;
  await deps.store.create(message, link, counters, content.category, now, { actor: clientId, action: 'message.send', outcome: 'sent', ...subject }, sent, archived).catch(async (error: unknown) => {
    // Nothing was written; a consent refusal is still worth a record.
    if (error instanceof RecipientOptedOut || error instanceof ConsentRequired) await deps.audit.record({ actor: clientId, action: 'send.refused', outcome: error.code, ...subject });
    throw error;
  });

  let smsId: string;
  try {
    const ref = message.smsRef ? { ref: message.smsRef } : {};
    ({ messageId: smsId } = email && mail
      ? await deps.email!.send({ to: email.address, ...mail, ...ref, ...(unsubscribeUrl ? { headers: unsubscribeHeaders(unsubscribeUrl) } : {}) })
      : whatsapp ? await deps.whatsapp!.sender.send({ message: whatsapp.message, text: whatsapp.shown, ...ref })
        : await deps.sms.send({ to: phone.e164, text, ...ref }));
  } catch (error) {
    const failure = error instanceof ChannelRejected ? new DeliveryFailed(error.reason) : await deliveryError({ ...deps, store: deps.consent }, error, { phoneIndex, mask: message.phoneMask });
    await deps.store.markFailed(id, { actor: clientId, action: 'message.failed', outcome: (failure as { code?: string }).code ?? 'delivery_failed', ...subject });
    throw failure;
  }
  const sentAt = deps.now();
  // E-mail and WhatsApp receipts name the provider's message id: it is recorded here.
  if (email || whatsapp || !deps.sms.echoesRef) await recordSent(deps, () => deps.store.markSent(id, smsId, sentAt));
  deps.signals.count(SIGNAL.sent);
  const view = messageView({ ...message, receipt: { status: 'sent', at: sentAt } }, sentAt);
  return {
    messageId: view.messageId, status: 'sent' as const, to: view.to, delivery: view.delivery, category: view.category, expiresAt: view.expiresAt,
    deliveryStatus: view.deliveryStatus, channel: message.channel ?? ('sms' as const), ...(message.emailMask ? { email: message.emailMask } : {}),
  };
}

/**
 * A sealed notice or a direct message on WhatsApp: the business's approved utility templates
 * (Meta allows a business-started conversation only through one). `text` is Meta's rendering of
 * it, kept for provenance; `shown` adds the link button as the person sees it.
 */
function whatsappMessage(deps: MessageDeps, to: string, m: { brand: string; body: string; token: string | undefined; url: string | undefined; expiresAt: number }) {
  const templates = deps.whatsapp!;
  if (m.token && m.url) {
    const until = `${new Date(m.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const words = whatsappNoticeWords(m.brand, until);
    return { message: whatsappNoticeMessage(to, { template: templates.noticeTemplate, brand: m.brand, until, token: m.token }), text: words, shown: `${words}\n[Read message: ${m.url}]` };
  }
  const message = whatsappDirectMessage(to, { template: templates.directTemplate, brand: m.brand, body: m.body });
  const words = whatsappDirectWords(message);
  return { message, text: words, shown: words };
}
