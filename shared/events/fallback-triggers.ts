import type { AuditEvent } from '../audit/event.ts';
import { stepOfOutcome } from '../channels/workflow.ts';
import type { FallbackTrigger } from '../otp/fallback.ts';

/** A trigger with the time it waits in the queue: a step's timeout, or 0 for a failed receipt. */
export type ScheduledTrigger = { trigger: FallbackTrigger; delaySeconds: number };

/** The port: SQS with a per-message delay (at most 900 s; a timeout is at most 300), or the local stack's timers. */
export interface FallbackQueue {
  schedule(triggers: readonly ScheduledTrigger[]): Promise<void>;
}

/** A receipt is about a verification when its resource has a verification's id length (otp/verification.ts). */
const isVerification = (id: string) => id.length === 32;

/**
 * The fallback triggers a batch of committed audit events holds (DESIGN.md "Channels": fallback is
 * driven by committed records): a step with a step after it (`otp.step`) schedules its timeout; a
 * failed receipt of a verification's message asks at once whether its workflow moves on (most
 * verifications have no workflow; the runner reads the record and does nothing).
 */
export function fallbackTriggersOf(audit: readonly AuditEvent[]): ScheduledTrigger[] {
  const out: ScheduledTrigger[] = [];
  for (const e of audit) {
    if (!e.resource) continue;
    if (e.action === 'otp.step') {
      const step = stepOfOutcome(e.outcome);
      if (step && step.index + 1 < step.steps) out.push({ trigger: { id: e.resource, kind: 'timeout', step: step.index }, delaySeconds: step.timeoutSeconds });
    } else if (e.action === 'delivery.receipt' && e.outcome.startsWith('failed') && isVerification(e.resource)) {
      out.push({ trigger: { id: e.resource, kind: 'failed' }, delaySeconds: 0 });
    }
  }
  return out;
}
