import { once } from './once.ts';
import { powertoolsSignals } from '../adapters/observability/powertools.ts';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { config } from './config.ts';
import type { ReceiptDeps } from '../delivery/receipt.ts';
import { EventBridgeBus } from '../adapters/events/eventbridge-bus.ts';
import { LocalEventBus } from '../adapters/events/local-bus.ts';
import type { ClientDirectory, EventBus, PublishDeps, WebhookQueue } from '../events/publish.ts';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoClientDirectory } from '../adapters/events/cognito-clients.ts';
import { LocalClientDirectory } from '../adapters/events/local-clients.ts';
import { CachedWebhookDirectory } from '../events/webhook-directory.ts';
import { envelope, table, urlPolicy } from './runtime.ts';
import { AuditItems } from '../adapters/store/audit-items.ts';
import { createDocumentClient } from '../adapters/store/client.ts';
import { DynamoEventFeed } from '../adapters/store/event-feed-store.ts';
import { numberTrusted } from '../adapters/store/fraud-store.ts';
import { DynamoRangeCredits } from '../adapters/store/range-credit-store.ts';
import type { CreditDeps } from '../fraud/range-credit.ts';
import { DynamoExpiryStore } from '../adapters/store/expiry-store.ts';
import { AuditMaskLookup } from '../adapters/store/mask-lookup.ts';
import { DynamoReceiptStore } from '../adapters/store/receipt-store.ts';
import { DynamoWebhookStore } from '../adapters/store/webhook-store.ts';
import type { DeliverDeps, RetryLater } from '../webhooks/deliver.ts';
import { HttpWebhookPoster } from '../adapters/webhooks/http-poster.ts';
import { localWebhookQueue } from '../adapters/webhooks/local-queue.ts';
import { SqsWebhookQueue } from '../adapters/webhooks/sqs-queue.ts';
import type { FallbackQueue } from '../events/fallback-triggers.ts';
import { localFallbackQueue } from '../adapters/workflows/local-fallback-queue.ts';
import { SqsFallbackQueue } from '../adapters/workflows/sqs-fallback-queue.ts';

/**
 * The wiring of events, webhooks, receipts and the expiry sweep, apart from shared/wiring/runtime.ts so
 * that the other functions' bundles carry no EventBridge or SQS client.
 */

/**
 * The functions behind the events (publisher, deliverer, receipts, expiry sweep) run off the request
 * path. They get their own DynamoDB client: in Lambda each is its own process anyway, and on the
 * local stack their calls are then tallied apart from the request path's (GET /_local/aws-calls,
 * `Background.DynamoDB.*`).
 */
export const backgroundClients = /* @__PURE__ */ once(() => createDocumentClient(config().DYNAMODB_ENDPOINT));
const backgroundDoc = () => backgroundClients().doc;
const backgroundAudit = /* @__PURE__ */ once(() => new AuditItems(backgroundDoc(), config().AUDIT_TABLE_NAME, config().AUDIT_RETENTION_DAYS));
const backgroundWebhookStore = /* @__PURE__ */ once(() => new DynamoWebhookStore(backgroundDoc(), table(), backgroundAudit()));


const webhookQueue = /* @__PURE__ */ once((): WebhookQueue & RetryLater => {
  const cfg = config();
  if (cfg.WEBHOOK_QUEUE_URL === 'local') return localWebhookQueue();
  if (!cfg.WEBHOOK_QUEUE_URL) throw new Error('WEBHOOK_QUEUE_URL is not configured for this function');
  return new SqsWebhookQueue(new SQSClient({}), cfg.WEBHOOK_QUEUE_URL);
});
const fallbackQueue = /* @__PURE__ */ once((): FallbackQueue => {
  const cfg = config();
  if (cfg.FALLBACK_QUEUE_URL === 'local') return localFallbackQueue();
  if (!cfg.FALLBACK_QUEUE_URL) throw new Error('FALLBACK_QUEUE_URL is not configured for this function');
  return new SqsFallbackQueue(new SQSClient({}), cfg.FALLBACK_QUEUE_URL);
});
const eventBus = /* @__PURE__ */ once((): EventBus => {
  const cfg = config();
  if (cfg.EVENT_BUS_FILE) return new LocalEventBus(cfg.EVENT_BUS_FILE);
  if (!cfg.EVENT_BUS_NAME) throw new Error('EVENT_BUS_NAME is not configured for this function');
  return new EventBridgeBus(new EventBridgeClient({}), cfg.EVENT_BUS_NAME);
});



const clientDirectory = /* @__PURE__ */ once((): ClientDirectory => {
  const cfg = config();
  if (cfg.CLIENTS_FILE) return new LocalClientDirectory(cfg.CLIENTS_FILE);
  if (!cfg.USER_POOL_ID) throw new Error('USER_POOL_ID is not configured for this function');
  return new CognitoClientDirectory(new CognitoIdentityProviderClient({}), cfg.USER_POOL_ID);
});

/** The stream publisher: feed, bus, webhook jobs (to clients as they are now), and the audit index for masks. */
export const publishDeps = /* @__PURE__ */ once((): PublishDeps => ({
  feed: new DynamoEventFeed(backgroundDoc(), table()),
  bus: eventBus(),
  webhooks: new CachedWebhookDirectory(backgroundWebhookStore()),
  // Built on first use: a batch with no webhook targets asks nobody.
  clients: { scopesOf: (clientId) => clientDirectory().scopesOf(clientId) },
  queue: webhookQueue(),
  masks: new AuditMaskLookup(backgroundDoc(), config().AUDIT_TABLE_NAME ?? ''),
  fallback: fallbackQueue(),
  now: Date.now,
}));

/** The webhook deliverer: the saved webhook, its secret (decrypt), the guarded poster, and the retry port. */
export const deliverDeps = /* @__PURE__ */ once((): DeliverDeps & { retry: RetryLater } => ({
  webhookOf: (clientId) => backgroundWebhookStore().get(clientId),
  envelope: envelope(),
  poster: new HttpWebhookPoster(urlPolicy()),
  now: Date.now,
  retryScale: config().WEBHOOK_RETRY_SCALE,
  retry: webhookQueue(),
}));

/** Delivery receipts (SNS logs, End User Messaging events, the local outbox). */
export const receiptDeps = /* @__PURE__ */ once((): ReceiptDeps => ({ receipts: new DynamoReceiptStore(backgroundDoc(), table(), backgroundAudit()) }));

/** The one-minute expiry sweep. */
export const expiryDeps = /* @__PURE__ */ once(() => ({ expiries: new DynamoExpiryStore(backgroundDoc(), table(), backgroundAudit()), now: Date.now }));

/** Range credits for approvals (functions/credit-ranges.ts): the number's trust, and the window's credit once per number. */
export const creditDeps = /* @__PURE__ */ once((): CreditDeps => ({
  credits: new DynamoRangeCredits(backgroundDoc(), table()),
  fraud: { isTrusted: (phoneIndex, sinceMs, beforeMs) => numberTrusted(backgroundDoc(), table(), phoneIndex, sinceMs, beforeMs) },
  signals: powertoolsSignals,
}));
