import { DeliveryFailed, RecipientOptedOut } from '../errors.ts';
import { SmsRejected } from '../sms/sender.ts';
import { recordConsent, type ConsentDeps } from './consent.ts';

/**
 * SNS refused because the number opted out at the carrier (a STOP we never saw): record it like our
 * own STOP, so every later send is refused before it reaches SNS, and answer 403 recipient_opted_out.
 * Any other error is returned as is.
 */
async function carrierOptOut(deps: ConsentDeps, error: unknown, who: { phoneIndex: string; mask: string }): Promise<unknown> {
  if (!(error instanceof SmsRejected) || error.reason !== 'opted_out') return error;
  await recordConsent(deps, 'system', { ...who, category: 'all', status: 'opted_out', source: 'carrier_opt_out' });
  return new RecipientOptedOut();
}

/**
 * What a failed SMS publish means for the caller: a carrier opt-out (recorded) becomes 403
 * recipient_opted_out; anything else is 502 delivery_failed, the provider's reason kept for the log.
 */
export async function deliveryError(deps: ConsentDeps, error: unknown, who: { phoneIndex: string; mask: string }): Promise<Error> {
  const optedOut = await carrierOptOut(deps, error, who);
  if (optedOut instanceof RecipientOptedOut) return optedOut;
  return new DeliveryFailed(error instanceof SmsRejected ? error.reason : (error as Error).name);
}
