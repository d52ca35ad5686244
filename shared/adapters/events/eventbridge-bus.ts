import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CloudEvent } from '../../events/cloud-event.ts';
import type { EventBus } from '../../events/publish.ts';

/**
 * Every event on the stage's bus `sealtext-<stage>`: source `sealtext`, detail-type the event type,
 * detail the CloudEvent, so a business routes them with ordinary EventBridge rules. PutEvents
 * takes 10 entries; a partly failed call is retried for the failed entries, then fails the batch.
 */
export class EventBridgeBus implements EventBus {
  constructor(private readonly client: EventBridgeClient, private readonly busName: string) {}

  async put(events: readonly CloudEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      let entries = events.slice(i, i + 10).map((e) => ({ EventBusName: this.busName, Source: 'sealtext', DetailType: e.type, Detail: JSON.stringify(e), Time: new Date(e.time) }));
      for (let attempt = 0; entries.length; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        if (!out.FailedEntryCount) break;
        if (attempt >= 3) throw new Error(`EventBridge refused ${out.FailedEntryCount} event(s)`);
        entries = entries.filter((_, n) => out.Entries?.[n]?.ErrorCode);
      }
    }
  }
}
