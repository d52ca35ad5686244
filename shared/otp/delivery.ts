import { deliveryError } from '../consent/carrier-opt-out.ts';
import type { EncryptionContext } from '../crypto/envelope.ts';
import type { Transaction } from './code.ts';
import type { OtpDeps } from './deps.ts';
import { renderOtpSms } from './sms-text.ts';
import { recordSent } from '../delivery/sent.ts';
import type { Receipt } from '../delivery/receipt.ts';
import type { Verification } from './verification.ts';

/** What a resend needs to text the person again; sealed at rest with the verification's id as context. */
export type DeliveryDetails = { to: string; transaction?: Transaction };

export const deliveryContext = (verificationId: string): EncryptionContext => ({ app: 'sealtext', record: verificationId, purpose: 'otp-delivery' });


/** The SMS that carries the code (rendered before the write, whose transaction keeps its provenance hash). */
export function otpText(deps: Pick<OtpDeps, 'webDomain'>, v: Verification, details: DeliveryDetails, code: string): string {
  return renderOtpSms(
    v.locale === 'de' ? 'de' : 'en',
    {
      brand: v.brand ?? 'Sealtext',
      code,
      minutes: Math.round(v.ttlSeconds / 60),
      purpose: v.purpose,
      ...(details.transaction ? { transaction: details.transaction } : {}),
    },
    deps.webDomain,
  );
}

/**
 * Publishes the code; a refusal or provider failure ends the verification as `failed` (502 or 403),
 * with its event. Resolves with the receipt the verification now has (`sent`: the provider took it).
 */
export async function sendCode(deps: OtpDeps, v: Verification, details: DeliveryDetails, text: string): Promise<Receipt> {
  let smsId: string;
  try {
    ({ messageId: smsId } = await deps.sms.send({ to: details.to, text, ...(v.smsRef ? { ref: v.smsRef } : {}) }));
  } catch (error) {
    const failure = await deliveryError({ ...deps, store: deps.consent }, error, { phoneIndex: v.phoneIndex, mask: v.phoneMask });
    await deps.store.markFailed(v.id, {
      actor: v.clientId, action: 'otp.failed', outcome: (failure as { code?: string }).code ?? 'delivery_failed',
      subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: v.id,
    });
    throw failure;
  }
  const at = deps.now();
  // A provider that echoes the reference needs no id recorded: its receipts name the record themselves.
  if (!deps.sms.echoesRef) await recordSent(deps, () => deps.store.markSent(v.id, smsId, at));
  return { status: 'sent', at };
}
