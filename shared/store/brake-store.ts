import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { brakeKey } from './rate-limit-ops.ts';

/** The brake flags the send transactions check (rate-limit-ops.ts brakeGuard). */
export class DynamoBrakeStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async pause(country: string, untilMs: number, reason: string, nowMs: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...brakeKey(country), country, pausedUntil: untilMs, pausedAt: nowMs, reason, ttl: Math.ceil(untilMs / 1000) + 86_400 },
      }),
    );
  }

  async lift(country: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: brakeKey(country) }));
  }
}
