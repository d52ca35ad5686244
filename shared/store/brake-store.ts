import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../audit/event.ts';
import type { BrakeStore } from '../fraud/brake.ts';
import type { AuditItems } from './audit-items.ts';
import { brakeKey } from './rate-limit-ops.ts';

/** The brake flags the send transactions check (rate-limit-ops.ts brakeGuard). */
export class DynamoBrakeStore implements BrakeStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async pause(country: string, untilMs: number, reason: string, nowMs: number, event: NewAuditEvent): Promise<void> {
    const Item = { ...brakeKey(country), country, pausedUntil: untilMs, pausedAt: nowMs, reason, ttl: Math.ceil(untilMs / 1000) + 86_400 };
    await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: this.tableName, Item } }, this.audit.put(event)] }));
  }

  async lift(country: string, event: NewAuditEvent): Promise<void> {
    await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: this.tableName, Key: brakeKey(country) } }, this.audit.put(event)] }));
  }
}
