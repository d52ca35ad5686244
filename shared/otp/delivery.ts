import { emailRecipient } from '../provenance/provenance.ts';
import type { Channel } from '../channels/channel.ts';
import { ChannelRejected } from '../channels/senders.ts';
import { voiceScript, type VoiceScript } from '../channels/voice-script.ts';
import { whatsappCodeMessage, whatsappCodeShown, whatsappCodeWords, type WhatsAppTemplateMessage } from '../channels/whatsapp-message.ts';
import { renderCodeEmail, type RenderedEmail } from '../email/code-email.ts';
import { parseEmail, type EmailAddress } from '../email/address.ts';
import { trustedCounters, withinRange } from '../fraud/range-guard.ts';
import type { RangeCheck } from '../fraud/ranges.ts';
import type { Phone } from '../phone/phone.ts';
import type { EndUserKeys } from '../ratelimit/end-user.ts';
import type { LimitCounter } from '../ratelimit/limits.ts';
import { sendCounters } from '../ratelimit/send-counters.ts';
import { deliveryError } from '../consent/carrier-opt-out.ts';
import { ChannelUnavailable, DeliveryFailed } from '../errors.ts';
import type { EncryptionContext } from '../crypto/envelope.ts';
import type { Transaction } from './code.ts';
import type { OtpDeps } from './deps.ts';
import { renderOtpSms } from './sms-text.ts';
import { recordSent } from '../delivery/sent.ts';
import { sentText } from '../provenance/provenance.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { SIGNAL } from '../fraud/signals.ts';
import type { Receipt } from '../delivery/receipt.ts';
import type { StepDelivery, Verification } from './verification.ts';

/** What a resend needs to text the person again; sealed at rest with the verification's id as context. */
/** Where a code goes: the number (absent for a verification by e-mail alone), the address, a transaction. */
export type DeliveryDetails = { to?: string; transaction?: Transaction; email?: string };

export const deliveryContext = (verificationId: string): EncryptionContext => ({ app: 'sealtext', record: verificationId, purpose: 'otp-delivery' });


/** A code can go out on every channel: SMS always; voice, WhatsApp and e-mail where the deployment configures them. */
export type CodeChannel = Channel;
type ChannelDeps = Pick<OtpDeps, 'voice' | 'whatsapp' | 'managedCodes' | 'email'>;
/** The channels this deployment has configured for codes. */
const configuredChannels = (deps: ChannelDeps): ReadonlySet<Channel> =>
  new Set<Channel>([
    'sms', ...(deps.voice || deps.managedCodes?.channels.has('voice') ? ['voice' as const] : []), ...(deps.whatsapp ? ['whatsapp' as const] : []), ...(deps.email ? ['email' as const] : []),
  ]);
/**
 * The channels a code can use for this request: a transaction code must name amount and payee
 * (PSD2 dynamic linking), which Meta's fixed authentication template cannot, so it never goes on WhatsApp.
 */
export function usableChannels(deps: ChannelDeps, transaction: boolean): ReadonlySet<Channel> {
  const channels = new Set(configuredChannels(deps));
  if (transaction) channels.delete('whatsapp');
  return channels;
}
/** Refuses, before anything is written, a channel this deployment can't use (`403 channel_unavailable`). */
export function codeChannel(deps: ChannelDeps, channel: Channel): CodeChannel {
  if (configuredChannels(deps).has(channel)) return channel;
  throw new ChannelUnavailable(channel);
}

/** The address of an e-mail step, as the request gave it (validated then, sealed since). */
/** The number a phone channel needs; a verification by e-mail alone has none (the channel is unavailable to it). */
export function phoneOf(details: DeliveryDetails, channel: CodeChannel): string {
  if (!details.to) throw new ChannelUnavailable(channel);
  return details.to;
}

export function emailOf(details: DeliveryDetails): EmailAddress | undefined {
  const parsed = details.email ? parseEmail(details.email) : undefined;
  return parsed?.ok ? parsed.email : undefined;
}

/**
 * The windows a send on `channel` consumes, and its write: to a phone, inside the range rule; an
 * e-mail has no range to pump (no toll), so its write goes as it is, with the address's windows.
 */
export function sendWrite<T>(
  deps: Pick<OtpDeps, 'keys' | 'limits' | 'fraud'>,
  channel: CodeChannel,
  who: { phone: Phone | undefined; phoneIndex: string; clientId: string; endUser?: EndUserKeys; details: DeliveryDetails; range: RangeCheck | undefined; nowMs: number },
  write: (counters: LimitCounter[], range: RangeCheck | undefined) => Promise<T>,
): Promise<T> {
  const email = channel === 'email' ? emailOf(who.details) : undefined;
  const counters = sendCounters(deps, { ...(who.phone ? { phone: who.phone } : {}), phoneIndex: who.phoneIndex, clientId: who.clientId, ...(who.endUser ? { endUser: who.endUser } : {}), ...(email ? { email } : {}) }, who.nowMs);
  if (email) return write(counters, undefined);
  if (!who.phone || !who.range) throw new ChannelUnavailable(channel);
  return withinRange(deps, { range: who.range, phone: who.phone, phoneIndex: who.phoneIndex, nowMs: who.nowMs }, (r, trusted) => write(trusted ? trustedCounters(counters) : counters, r));
}

/** The message in use as it stands, kept in `deliveries` when the next one goes out. */
export const previousDelivery = (v: Verification): StepDelivery => ({ channel: v.channel ?? 'sms', ...(v.receipt ?? { status: 'sent', at: v.lastSentAt }) });

/** A workflow has a step after the one in use: a failed send moves it on rather than ending it. */
const hasNextStep = (v: Pick<Verification, 'steps' | 'step'>) => v.steps !== undefined && v.step !== undefined && v.step + 1 < v.steps.length;

/**
 * The code as it goes out, rendered before the write (whose transaction keeps the provenance hash
 * of `text`): an SMS's text, or a call's script, whose `text` is the words it speaks.
 */
export type OutgoingCode =
  | { channel: 'sms'; text: string }
  | { channel: 'voice'; text: string; script: VoiceScript }
  /** `text`: Meta's words (provenance); `shown`: with the copy-code button, as the person sees it. */
  | { channel: 'whatsapp'; text: string; shown: string; message: WhatsAppTemplateMessage }
  /** An e-mail: provenance keeps its plain-text part, keyed by the address. */
  | { channel: 'email'; mail: RenderedEmail }
  /** Through a provider's own approved words (Notify): no text of ours, so nothing for provenance. */
  | { channel: 'sms' | 'voice'; managed: { code: string; locale: 'en' | 'de' } };

/**
 * The provenance record of a code's text (committed with the send), where the words are ours: a
 * managed sender's words are its own, so there is nothing of ours to vouch for.
 */
export const codeProvenance = (keys: SecretKeys, e164: string, phoneIndex: string, out: OutgoingCode, meta: Parameters<typeof sentText>[4], email?: { address?: string | undefined; index?: string | undefined }) => {
  if ('text' in out) return sentText(keys, e164, phoneIndex, out.text, meta);
  // An e-mail by its plain-text part, filed under the address (an erasure by address removes it).
  if ('mail' in out && email?.address && email.index) return sentText(keys, emailRecipient(email.address), email.index, out.mail.text, meta);
  return undefined;
};

export function outgoingCode(deps: Pick<OtpDeps, 'webDomain' | 'whatsapp' | 'managedCodes' | 'voice' | 'email'>, v: Verification, details: DeliveryDetails, code: string, channel: CodeChannel): OutgoingCode {
  const locale = v.locale === 'de' ? 'de' : 'en';
  const brand = v.brand ?? 'Sealtext';
  const transaction = details.transaction ? { transaction: details.transaction } : {};
  // Notify's templates cannot name amount and payee: a transaction code goes in our words, on our sender.
  if ((channel === 'sms' || channel === 'voice') && deps.managedCodes?.channels.has(channel) && !details.transaction && (channel === 'sms' || !deps.voice)) {
    return { channel, managed: { code, locale } };
  }
  if (channel === 'email') {
    if (!deps.email || !details.email) throw new ChannelUnavailable('email');
    return { channel, mail: renderCodeEmail(locale, { brand, code, minutes: Math.round(v.ttlSeconds / 60), purpose: v.purpose, ...transaction }) };
  }
  if (channel === 'whatsapp') {
    if (!deps.whatsapp || details.transaction) throw new ChannelUnavailable('whatsapp');
    const message = whatsappCodeMessage(phoneOf(details, channel), code, locale, `${deps.whatsapp.templatePrefix}_${locale}`);
    return { channel, text: whatsappCodeWords(locale, code), shown: whatsappCodeShown(locale, code), message };
  }
  if (channel === 'voice') {
    const script = voiceScript(locale, { brand, code, ...transaction });
    return { channel, text: script.words, script };
  }
  return { channel, text: renderOtpSms(locale, { brand, code, minutes: Math.round(v.ttlSeconds / 60), purpose: v.purpose, ...transaction }, deps.webDomain) };
}

function dispatch(deps: OtpDeps, v: Verification, details: DeliveryDetails, out: OutgoingCode, ref: { ref?: string }) {
  if ('managed' in out) return deps.managedCodes!.send({ to: phoneOf(details, out.channel), code: out.managed.code, channel: out.channel, locale: out.managed.locale, ttlSeconds: v.ttlSeconds, ...ref });
  if (out.channel === 'voice') return deps.voice!.send({ to: phoneOf(details, 'voice'), script: out.script, ...ref });
  if (out.channel === 'whatsapp') return deps.whatsapp!.sender.send({ message: out.message, text: out.shown, ...ref });
  if (out.channel === 'email') return deps.email!.send({ to: details.email!, ...out.mail, ...ref });
  return deps.sms.send({ to: phoneOf(details, 'sms'), text: out.text, ...ref });
}

/**
 * Publishes the code; a refusal or provider failure ends the verification as `failed` (502 or 403),
 * with its event. In a workflow with a step after this one, it fails the step instead (a failed
 * receipt, with its event: the fallback moves on from it, functions/advance-workflows.ts). Resolves
 * with the receipt the verification now has (`sent`: the provider took it).
 */
export async function sendCode(deps: OtpDeps, v: Verification, details: DeliveryDetails, out: OutgoingCode): Promise<Receipt> {
  const ref = v.smsRef ? { ref: v.smsRef } : {};
  // WhatsApp hands no reference back: its receipts match by the message id recorded below.
  // SES echoes it as a tag, but its events are not read yet (issue 24): the id is recorded.
  const echoesRef = 'managed' in out ? true : out.channel === 'voice' ? deps.voice!.echoesRef : out.channel === 'sms' ? deps.sms.echoesRef : false;
  let smsId: string;
  try {
    ({ messageId: smsId } = await dispatch(deps, v, details, out, ref));
  } catch (error) {
    deps.signals.count(SIGNAL.refusedByChannel, { channel: out.channel });
    // A refused call is the call's failure; an SMS refusal may be the carrier's opt-out, recorded as such.
    const failure = error instanceof ChannelRejected
      ? new DeliveryFailed(error.reason)
      : await deliveryError({ ...deps, store: deps.consent }, error, { phoneIndex: v.phoneIndex, mask: v.phoneMask });
    const errorCode = (failure as { code?: string }).code ?? 'delivery_failed';
    if (hasNextStep(v) && v.smsRef) {
      // The provider's reason where it gave one (`not_on_whatsapp`), as its receipt would.
      const receipt: Receipt = { status: 'failed', at: deps.now(), errorCode: error instanceof ChannelRejected ? error.reason : errorCode };
      await deps.store.failStep(v.id, v.smsRef, receipt, {
        actor: 'system', action: 'delivery.receipt', outcome: `failed:${receipt.errorCode}`,
        subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: v.id, owner: v.clientId,
      });
      return receipt;
    }
    await deps.store.markFailed(v.id, {
      actor: v.clientId, action: 'otp.failed', outcome: errorCode,
      subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: v.id,
    });
    throw failure;
  }
  deps.signals.count(SIGNAL.sentByChannel, { channel: out.channel });
  const at = deps.now();
  // A provider that echoes the reference needs no id recorded: its receipts name the record themselves.
  if (!echoesRef) await recordSent(deps, () => deps.store.markSent(v.id, smsId, at));
  return { status: 'sent', at };
}
