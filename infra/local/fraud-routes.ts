import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { evaluateOver } from '../simulator/evaluate.ts';
import { problemResponse } from '#shared/http/problem';
import { auditItems, dynamoClients } from '#shared/wiring/runtime';
import { config } from '#shared/wiring/config';
import { DynamoFraudStore } from '#shared/adapters/store/fraud-store';
import { fraudSettings } from '../fraud-settings.ts';
import { readMetrics } from './emf-capture.ts';
import { parseLocalBody } from './local-json.ts';

/**
 * Local stand-ins for CloudWatch: `GET /_local/metrics?since=` lists the emitted metrics;
 * `POST /_local/brake` evaluates the alarm rules or pauses/lifts a country by hand.
 */
const json = (status: number, body: unknown): APIGatewayProxyResult => ({
  statusCode: status,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  body: JSON.stringify(body),
});

export function metricsRoute(file: string, url: URL): APIGatewayProxyResult {
  return json(200, { metrics: readMetrics(file, Number(url.searchParams.get('since') ?? 0)) });
}

const BrakeRequest = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('evaluate'), since: z.number().int().min(0) }),
  z.strictObject({ action: z.enum(['trip', 'lift']), country: z.string().regex(/^[A-Z]{2}$/) }),
]);

/**
 * `evaluate` answers what the deployed alarm rules would decide over the metrics since `since`
 * (alarms notify ops; nothing pauses a country by itself); `trip`/`lift` pause or resume one country
 * by hand, as `PUT`/`DELETE /v1/fraud/blocks` and `npm run brake` do.
 */
export async function brakeRoute(file: string, body: string): Promise<APIGatewayProxyResult> {
  const request = parseLocalBody(BrakeRequest, body);
  if (!request) return problemResponse(400, { title: 'Send {"action":"evaluate","since":ms} or {"action":"trip"|"lift","country":"GB"}', code: 'validation_failed' });
  const blocks = new DynamoFraudStore(dynamoClients().doc, config().DATA_TABLE_NAME, auditItems());
  const now = Date.now();
  switch (request.action) {
    case 'lift':
      await blocks.lift('country', request.country, { actor: 'ops', action: 'fraud.unblock', outcome: `country:${request.country}` });
      return json(200, { lifted: request.country });
    case 'trip':
      await blocks.put({ kind: 'country', key: request.country, reason: 'manual', since: now, until: now + 24 * 3_600_000 }, { actor: 'ops', action: 'fraud.block', outcome: `country:${request.country}` });
      return json(200, { paused: [request.country] });
    case 'evaluate':
      return json(200, { decisions: evaluateOver(readMetrics(file, request.since), fraudSettings()), blocks: await blocks.list(now) });
  }
}
