import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { countriesByTraffic, evaluateOver } from '../simulator/evaluate.ts';
import { PUMPING_RULE_ID } from '#shared/fraud/alarm-rules';
import { tripBrake } from '#shared/fraud/trip-brake';
import { problemResponse } from '#shared/http/problem';
import { auditItems, dynamoClients } from '#shared/runtime';
import { config } from '#shared/config';
import { DynamoBrakeStore } from '#shared/store/brake-store';
import { fraudSettings } from '../fraud-settings.ts';
import { readMetrics } from './emf-capture.ts';
import { parseLocalBody } from './local-json.ts';

/**
 * Local stand-ins for what CloudWatch and the brake function do in AWS:
 * `GET /_local/metrics?since=` lists the emitted metrics; `POST /_local/brake` either evaluates the
 * alarm rules over the metrics since `since` and trips the brake as the pumping alarm would
 * (`{"action":"evaluate","since":ms}`), or trips/lifts one country by hand.
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

export async function brakeRoute(file: string, body: string): Promise<APIGatewayProxyResult> {
  const request = parseLocalBody(BrakeRequest, body);
  if (!request) return problemResponse(400, { title: 'Send {"action":"evaluate","since":ms} or {"action":"trip"|"lift","country":"GB"}', code: 'validation_failed' });
  const brakes = new DynamoBrakeStore(dynamoClients().doc, config().DATA_TABLE_NAME, auditItems());
  const deps = { brakes, now: Date.now };
  const thresholds = fraudSettings();
  switch (request.action) {
    case 'lift':
      await brakes.lift(request.country, { actor: 'ops', action: 'brake.lift', outcome: request.country });
      return json(200, { lifted: request.country });
    case 'trip':
      await brakes.pause(request.country, Date.now() + 24 * 3_600_000, 'manual', Date.now(), { actor: 'ops', action: 'brake.trip', outcome: request.country });
      return json(200, { paused: [request.country] });
    case 'evaluate': {
      const points = readMetrics(file, request.since);
      const decisions = evaluateOver(points, thresholds);
      const pumping = decisions.find((d) => d.id === PUMPING_RULE_ID)!;
      const paused = pumping.fired
        ? await tripBrake(deps, countriesByTraffic(points), { minSent: thresholds.pumpingMinSent, maxConversion: thresholds.pumpingMaxConversion })
        : [];
      return json(200, { decisions, paused });
    }
  }
}
