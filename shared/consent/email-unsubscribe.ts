import { emailIndexOfToken } from '../email/unsubscribe.ts';
import { recordConsent, type ConsentDeps } from './consent.ts';

/**
 * A one-click unsubscribe (RFC 8058): the address's promotional e-mail opt-out, recorded with its
 * source like any consent change (history, audit event). An address already opted out gets no new
 * entry, so a mail client retrying the POST, or a second press, adds nothing.
 * `unknown`: the token is not one of ours.
 */
export async function unsubscribeByLink(deps: ConsentDeps, token: string): Promise<'done' | 'unknown'> {
  const index = emailIndexOfToken(deps.keys, token);
  if (!index) return 'unknown';
  const state = await deps.store.state(index);
  if (state?.promotional === 'opted_out' || state?.optedOutAll) return 'done';
  await recordConsent(deps, 'recipient', { channel: 'email', category: 'promotional', status: 'opted_out', source: 'one_click_unsubscribe', phoneIndex: index });
  return 'done';
}

/** Whether the link is one of ours (the page's GET reads nothing else). */
export const knownUnsubscribeLink = (deps: Pick<ConsentDeps, 'keys'>, token: string) => emailIndexOfToken(deps.keys, token) !== undefined;
