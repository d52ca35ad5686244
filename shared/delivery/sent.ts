import { SIGNAL, type Signals } from '../fraud/signals.ts';

/**
 * After the provider took the SMS: record `sent` and its id (one UpdateItem). The SMS is out and the
 * code or link works, so a failure here must not fail the request (the client would retry and text
 * the person twice): it is counted, and that record's receipt will not match (its delivery reads
 * `queued`, then `unknown` after 72 hours).
 */
export async function recordSent(deps: { signals: Signals }, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch {
    deps.signals.count(SIGNAL.sentUnrecorded);
  }
}
