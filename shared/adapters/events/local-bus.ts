import { appendFileSync } from 'node:fs';
import type { CloudEvent } from '../../events/cloud-event.ts';
import type { EventBus } from '../../events/publish.ts';

/** The local stack's bus: each event as the EventBridge entry it would be, one JSON line in `.local/bus.jsonl`. */
export class LocalEventBus implements EventBus {
  constructor(private readonly file: string) {}

  async put(events: readonly CloudEvent[]): Promise<void> {
    if (!events.length) return;
    appendFileSync(this.file, events.map((e) => `${JSON.stringify({ source: 'sealtext', 'detail-type': e.type, detail: e })}\n`).join(''));
  }
}
