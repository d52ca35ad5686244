import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch-write.ts';
import { audienceKey, type CloudEvent } from '../../events/cloud-event.ts';
import { FEED_DAYS, type EventFeedReader, type FeedSlice } from '../../events/feed.ts';
import type { EventFeed, FeedEntry } from '../../events/publish.ts';

/**
 * The events feed in the data table: `EVENTS#<audience>` / `<publishedAt>#<n in batch>#<event id>`, expiring
 * after FEED_DAYS. One partition per audience: written only by the publisher (off the request
 * path, in batches), read by GET /v1/events.
 */
const partition = (audience: string) => `EVENTS#${audience}`;

export class DynamoEventFeed implements EventFeed, EventFeedReader {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async append(entries: readonly FeedEntry[], publishedAt: number): Promise<void> {
    const at = new Date(publishedAt).toISOString();
    const ttl = Math.ceil(publishedAt / 1000) + FEED_DAYS * 86_400 + 86_400;
    // The batch's stream order is kept within its millisecond.
    const requests = entries.map(({ audience, event }, i) => ({
      PutRequest: { Item: { pk: partition(audienceKey(audience)), sk: `${at}#${String(i).padStart(4, '0')}#${event.id}`, type: event.type, event: JSON.stringify(event), ttl } },
    }));
    await batchWriteAll(this.doc, this.tableName, requests, 'Event feed writes stayed throttled');
  }

  async slice(audience: string, after: string, until: string, limit: number): Promise<FeedSlice> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': partition(audience), ':after': after },
      Limit: limit,
    }));
    const all = (out.Items ?? []).map((i) => ({ position: String(i.sk), event: JSON.parse(String(i.event)) as CloudEvent }));
    const items = all.filter((i) => i.position < until);
    return { items, more: Boolean(out.LastEvaluatedKey) && items.length === all.length && items.length > 0 };
  }
}
