import { ChannelRejected } from '../channels/senders.ts';
import { openCodeEmail } from '../email/message-email.ts';
import { whatsappCodeMessage, whatsappCodeShown } from '../channels/whatsapp-message.ts';
import { emailOf } from '../otp/delivery.ts';
import { codeHash, generateCode } from '../otp/code.ts';
import { deliveryError } from '../consent/carrier-opt-out.ts';
import { AnswerRequired, ChannelUnavailable, DeliveryFailed, InvalidAnswer, InvalidCode, MessageGone, NotFound, RateLimited } from '../errors.ts';
import { digestsEqual } from '../crypto/hmac.ts';
import { answerHash } from './recipient-check.ts';
import { RANGE_RULES } from '../fraud/ranges.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { checkDestination } from '../phone/destination.ts';
import { failureCounters } from '../ratelimit/limits.ts';
import { ipKey } from '../ratelimit/end-user.ts';
import { sendCounters } from '../ratelimit/send-counters.ts';
import type { MessageDeps, OpenDeps } from './deps.ts';
import { bodyContext, goneReason, LINK_TOKEN_PATTERN, linkHash, MESSAGE_RULES, recipientContext, type Message } from './message.ts';
import { openCodeSms } from './sms-text.ts';

/**
 * The recipient's side: the link's token is the capability. Reading the page changes nothing;
 * asking for a code texts the message's own recipient; the right code opens (and with
 * burn-after-read removes) the body in one conditional write before anything is decrypted.
 */
export type PageState = 'active' | 'expired' | 'revoked' | 'already_read' | 'max_attempts_reached' | 'failed' | 'unknown';

async function byToken(deps: Pick<MessageDeps, 'store'>, token: string): Promise<Message | undefined> {
  return LINK_TOKEN_PATTERN.test(token) ? deps.store.findByLink(linkHash(token)) : undefined;
}

/** GET /m/{token}: reads only. */
export async function pageState(deps: Pick<MessageDeps, 'store' | 'now'>, token: string) {
  const m = await byToken(deps, token);
  if (!m) return { state: 'unknown' as PageState };
  const state: PageState = goneReason(m, deps.now()) ?? 'active';
  return { state, brand: m.brand ?? 'Sealtext', to: m.emailMask ?? m.phoneMask, channel: m.channel ?? ('sms' as const), expiresAt: new Date(m.expiresAt).toISOString(), burnAfterRead: m.burnAfterRead };
}

const openCodeHash = (deps: Pick<MessageDeps, 'keys'>, id: string, code: string) => codeHash(deps.keys.codeHashKey, id, code, 'message-open');

/**
 * A request found the message closed. An expiry the sweep has not recorded yet is recorded now, once
 * (a conditional write: any number of requests to an expired link leave one event).
 */
async function gone(deps: Pick<MessageDeps, 'store' | 'now'>, m: Message, reason: ReturnType<typeof goneReason> & string): Promise<never> {
  if (reason === 'expired' && m.expiredAt === undefined) {
    await deps.store.markExpired({ id: m.id, nowMs: deps.now() }, {
      actor: 'recipient', action: 'message.expired', outcome: 'expired', subjectIndex: m.phoneIndex, subjectMask: m.phoneMask, resource: m.id, owner: m.clientId,
    });
  }
  throw new MessageGone(reason);
}

/** POST /m/{token}/code */
export async function requestOpenCode(deps: MessageDeps, token: string, caller: { sourceIp?: string } = {}) {
  const now = deps.now();
  const m = await byToken(deps, token);
  if (!m) throw new NotFound();
  const reason = goneReason(m, now);
  if (reason) return gone(deps, m, reason);
  if (m.openSends >= MESSAGE_RULES.maxOpenSends) throw new RateLimited((m.expiresAt - now) / 1000, 'maxSends');
  const nextAt = (m.openLastSentAt ?? 0) + MESSAGE_RULES.openResendIntervalMs;
  if (now < nextAt) throw new RateLimited((nextAt - now) / 1000, 'resendInterval');

  const phone = checkDestination(await deps.envelope.open(m.sealedRecipient, recipientContext(m.id)), deps.allowedCountries);
  const code = generateCode(MESSAGE_RULES.openCodeLength);
  const codeExpiresAt = now + MESSAGE_RULES.openCodeTtlMs;
  // Here the browser is the end user: its own address is what the per-IP window counts.
  const endUser = caller.sourceIp ? { ip: ipKey(deps.keys.blindIndexKey, caller.sourceIp) } : undefined;
  // The code goes where the notice went: by e-mail for an e-mailed message (API 1.2).
  const email = m.sealedEmail ? emailOf({ to: phone.e164, email: await deps.envelope.open(m.sealedEmail, recipientContext(m.id)) }) : undefined;
  const counters = sendCounters(deps, { phone, phoneIndex: m.phoneIndex, clientId: m.clientId, ...(endUser ? { endUser } : {}), ...(email ? { email } : {}) }, now);
  const subject = { subjectIndex: m.phoneIndex, subjectMask: m.phoneMask, resource: m.id, owner: m.clientId };
  const out = await deps.store.setOpenCode(
    {
      id: m.id, codeHash: openCodeHash(deps, m.id, code), codeExpiresAt, seenSends: m.openSends, nowMs: now, country: m.country, phoneIndex: m.phoneIndex,
      ...(m.channel ? { channel: m.channel } : {}), ...(email && m.emailIndex ? { emailIndex: m.emailIndex } : {}),
    },
    counters,
    { actor: 'recipient', action: 'message.code', outcome: 'sent', ...subject },
  );
  if (!out.ok) {
    const current = out.current;
    const lost = current && goneReason(current, now);
    if (current && lost) return gone(deps, current, lost);
    throw new RateLimited(MESSAGE_RULES.openResendIntervalMs / 1000, 'resendInterval');
  }
  try {
    const brand = m.brand ?? 'Sealtext';
    const minutes = MESSAGE_RULES.openCodeTtlMs / 60_000;
    if (email) {
      if (!deps.email) throw new ChannelUnavailable('email');
      await deps.email.send({ to: email.address, ...openCodeEmail(brand, code, minutes) });
    } else if (m.channel === 'whatsapp') {
      // The authentication template (copy-code button), as for sign-in codes: Meta allows codes only in it.
      if (!deps.whatsapp) throw new ChannelUnavailable('whatsapp');
      const message = whatsappCodeMessage(phone.e164, code, 'en', `${deps.whatsapp.templatePrefix}_en`);
      await deps.whatsapp.sender.send({ message, text: whatsappCodeShown('en', code) });
    } else await deps.sms.send({ to: phone.e164, text: openCodeSms(brand, code, minutes) });
  } catch (error) {
    if (error instanceof ChannelRejected) throw new DeliveryFailed(error.reason);
    if (error instanceof ChannelUnavailable) throw error;
    throw await deliveryError({ ...deps, store: deps.consent }, error, { phoneIndex: m.phoneIndex, mask: m.phoneMask });
  }
  deps.signals.count(SIGNAL.sent);
  return {
    status: 'code_sent' as const,
    to: m.emailMask ?? m.phoneMask,
    channel: m.channel ?? ('sms' as const),
    codeExpiresAt: new Date(codeExpiresAt).toISOString(),
    resendAvailableAt: new Date(now + MESSAGE_RULES.openResendIntervalMs).toISOString(),
    sendsRemaining: MESSAGE_RULES.maxOpenSends - (m.openSends + 1),
  };
}

/** POST /m/{token}/open */
export async function openMessage(deps: OpenDeps, token: string, code: string, answer?: string) {
  const now = deps.now();
  const m = await byToken(deps, token);
  if (!m) throw new NotFound();
  const reason = goneReason(m, now);
  if (reason) return gone(deps, m, reason);

  // A recipient check is asked after the code: the right code and no answer changes nothing and
  // answers with the question; the code stays valid. A wrong code is a wrong code, as ever.
  const hash = openCodeHash(deps, m.id, code);
  const codeRight = Boolean(m.openCodeHash && (m.openCodeExpiresAt ?? 0) > now && digestsEqual(m.openCodeHash, hash));
  if (m.checkHash && codeRight && answer === undefined) throw new AnswerRequired(m.checkPrompt ?? '');
  const givenAnswer = m.checkHash ? answerHash(deps.keys.codeHashKey, m.id, answer ?? '') : undefined;
  const wrongAnswer = Boolean(m.checkHash && codeRight && givenAnswer && !digestsEqual(m.checkHash, givenAnswer));

  // The key-service call happens before the burn, so a KMS failure loses nothing; the body itself is
  // decrypted only after the conditional write committed (never after a revoke).
  const decrypt = await deps.envelope.prepareOpen(m.sealedBody!, bodyContext(m.id));
  const subject = { subjectIndex: m.phoneIndex, subjectMask: m.phoneMask, resource: m.id, owner: m.clientId };
  const opened = await deps.store.open(
    { id: m.id, codeHash: hash, ...(givenAnswer ? { answerHash: givenAnswer } : {}), burn: m.burnAfterRead, seenBody: m.sealedBody!, nowMs: now },
    { actor: 'recipient', action: 'message.open', outcome: m.burnAfterRead ? 'opened_burned' : 'opened', ...subject },
    // Opening proves the number is a person's: it passes range blocks for the trust window.
    { phoneIndex: m.phoneIndex, until: now + RANGE_RULES.trustDays * 86_400_000 },
  );
  if (opened.ok) {
    // The write was conditional on this very ciphertext, which is already gone from the store with burn-after-read.
    const body = decrypt();
    return { body, sentAt: new Date(m.createdAt).toISOString(), expiresAt: new Date(m.expiresAt).toISOString(), brand: m.brand ?? 'Sealtext', burned: m.burnAfterRead };
  }

  // A wrong code, counted against the state the failed write returned (again, if another got there first).
  for (let current = opened.current; ;) {
    if (!current) throw new NotFound();
    const closed = goneReason(current, now);
    if (closed) return gone(deps, current, closed);
    const remaining = current.maxOpenAttempts - (current.openAttempts + 1);
    // Wrong open codes count against the number like wrong OTPs do.
    const failed = await deps.store.recordFailedOpen(
      { id: m.id, seenAttempts: current.openAttempts, nowMs: now },
      failureCounters(deps.limits, m.phoneIndex, now),
      (locked) => ({ actor: 'recipient', action: 'message.open', outcome: locked ? 'number_locked' : remaining <= 0 ? 'max_attempts_reached' : wrongAnswer ? 'invalid_answer' : 'invalid_code', ...subject }),
    );
    if (!failed.ok) {
      current = failed.current;
      continue;
    }
    deps.signals.count(SIGNAL.failedVerify);
    if (failed.locked) deps.signals.count(SIGNAL.locked);
    if (remaining <= 0) throw new MessageGone('max_attempts_reached');
    throw wrongAnswer ? new InvalidAnswer(remaining) : new InvalidCode(remaining);
  }
}
