import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RangeCredits } from '../../fraud/range-credit.ts';
import { rangeWindowKey, rangeWindowTtl } from './range-ops.ts';
import { recordKey } from './record-keys.ts';
import { firstConditionFailed } from './transaction-error.ts';

/**
 * Range credits in the data table: a marker per number and window (`RANGECREDIT#<tag>#<window>#<number
 * index>`, gone with the window's TTL) commits with the score's update, on the condition that it did
 * not exist. So a credit is given once per number and window, however often the stream delivers
 * the approval or however many of the number's codes are approved at once.
 */
export class DynamoRangeCredits implements RangeCredits {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async approvalOf(verificationId: string) {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: recordKey('otp', verificationId), ProjectionExpression: 'phoneIndex, approvedAt, channel',
    }));
    const { phoneIndex, approvedAt, channel } = out.Item ?? {};
    if (typeof phoneIndex !== 'string' || typeof approvedAt !== 'number') return undefined;
    return { phoneIndex, approvedAt, ...(typeof channel === 'string' ? { channel } : {}) };
  }

  async credit(w: { tag: string; windowStart: number; windowEndsAt: number }, phoneIndex: string, amount: number): Promise<boolean> {
    const ttl = rangeWindowTtl(w.windowEndsAt);
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: `RANGECREDIT#${w.tag}#${w.windowStart}#${phoneIndex}`, sk: 'RANGECREDIT', ttl },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: rangeWindowKey(w.tag, w.windowStart),
              UpdateExpression: 'ADD #score :amount SET #ttl = if_not_exists(#ttl, :ttl)',
              ExpressionAttributeNames: { '#score': 'score', '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':amount': amount, ':ttl': ttl },
            },
          },
        ],
      }));
      return true;
    } catch (error) {
      if (firstConditionFailed(error)) return false;
      throw error;
    }
  }
}
