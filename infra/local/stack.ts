import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ensureLocalKeys } from '#shared/adapters/crypto/local-keyring';
import { ensureLocalSigningKey } from '#shared/adapters/crypto/seal-signers';
import { resetOutboxIndex } from '#shared/adapters/sms/outbox';
import { FUNCTION_NAMES } from '../routes.ts';
import { stageLimits } from '../sizing.ts';
import { ensureTables, startDynamoDbLocal } from './dynamodb.ts';
import { captureEmf } from './emf-capture.ts';
import { dynamoClients } from '#shared/wiring/runtime';
import { backgroundClients } from '#shared/wiring/events-runtime';
import { countAwsCalls, type CallTally } from './aws-calls.ts';
import { createGateway, lambdaContext, type Handler } from './gateway.ts';
import { consumeFallbackQueue, consumeWebhookQueue, drainArchiveOutbox, localReceipts, startStreamPoller } from './events.ts';
import { LOCAL_TABLE_NAMES, localLayout } from './layout.ts';
import { ensureClients, ensureTokenKey, LocalOAuth } from './oauth.ts';

/** The volume the local stack's shared windows are sized for (docs/local-stack.md): a million codes a day. */
const LOCAL_EXPECTED_CODES_PER_DAY = 1_000_000;

export type LocalStackOptions = {
  dir: string;
  port: number;
  host?: string;
  inMemory?: boolean;
  allowedCountries?: string;
  /** How often the audit sealer runs (AWS: every minute). */
  sealEveryMs?: number;
  /** How often the expiry sweep runs (AWS: every minute; 30 s here). */
  sweepEveryMs?: number;
};

/**
 * The whole API on one machine: DynamoDB Local, the shared tables, the keyring and clients under
 * `dir`, the SMS outbox, and the gateway invoking the real handlers with the local adapters.
 */
export async function startLocalStack(options: LocalStackOptions) {
  const layout = localLayout(options.dir);
  mkdirSync(layout.root, { recursive: true });
  ensureLocalKeys(layout.keysFile);
  ensureClients(layout.clientsFile);
  ensureTokenKey(layout.tokenKeyFile);
  ensureLocalSigningKey(layout.signingKeyFile);
  if (options.inMemory) {
    writeFileSync(layout.outboxFile, '');
    resetOutboxIndex(layout.outboxFile);
    writeFileSync(layout.metricsFile, '');
    writeFileSync(layout.busFile, '');
    // The seals of an in-memory trail are gone with it.
    rmSync(layout.sealsDir, { recursive: true, force: true });
    rmSync(layout.archiveDir, { recursive: true, force: true });
  }
  captureEmf(layout.metricsFile);

  const dynamo = await startDynamoDbLocal(options.inMemory ? {} : { dbDir: layout.dynamoDir });
  try {
    await ensureTables(dynamo.endpoint, LOCAL_TABLE_NAMES);

    // The handlers read their configuration from the environment at cold start, as in Lambda.
    Object.assign(process.env, {
      STAGE: 'local',
      DATA_TABLE_NAME: LOCAL_TABLE_NAMES.Data,
      IDEMPOTENCY_TABLE_NAME: LOCAL_TABLE_NAMES.Idempotency,
      AUDIT_TABLE_NAME: LOCAL_TABLE_NAMES.Audit,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      KEY_SOURCE: 'local',
      LOCAL_KEYS_FILE: layout.keysFile,
      AUDIT_SIGNING_KEY_FILE: layout.signingKeyFile,
      SEAL_DIR: layout.sealsDir,
      SMS_ADAPTER: 'outbox',
      // Voice codes go to the outbox as the words the call would speak (API 1.2).
      VOICE_ADAPTER: 'outbox',
      // WhatsApp too, as the text the person would see (`POST /_local/channels` takes a number off WhatsApp).
      WHATSAPP_ADAPTER: 'outbox',
      // E-mail too: the outbox, and each message as an .eml file under .local/mail/.
      EMAIL_ADAPTER: 'outbox',
      MAIL_DIR: layout.mailDir,
      EMAIL_FROM: 'Sealtext (local) <codes@sealtext.local>',
      OUTBOX_FILE: layout.outboxFile,
      EVENT_BUS_FILE: layout.busFile,
      CLIENTS_FILE: layout.clientsFile,
      ARCHIVE_DIR: layout.archiveDir,
      ARCHIVE_OUTBOX_TABLE_NAME: LOCAL_TABLE_NAMES.ArchiveOutbox,
      ARCHIVE_CATEGORIES: process.env.ARCHIVE_CATEGORIES ?? 'transactional',
      ARCHIVE_RETENTION_DAYS: process.env.ARCHIVE_RETENTION_DAYS ?? '30',
      WEBHOOK_QUEUE_URL: 'local',
      // Workflow fallback: a step's timeout waits in process (FALLBACK_DELAY_SCALE shortens it for tests).
      FALLBACK_QUEUE_URL: 'local',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_RETRY_SCALE: process.env.WEBHOOK_RETRY_SCALE ?? '0.2',
      ALLOWED_COUNTRIES: options.allowedCountries ?? process.env.ALLOWED_COUNTRIES ?? 'GB,US,CA,DE,FR,NL,IE',
      // The shared windows sized as a stage's are (infra/sizing.ts), for a busy business, so that no
      // example, test or benchmark of one client trips them; RATE_LIMITS replaces them all.
      RATE_LIMITS: process.env.RATE_LIMITS ?? JSON.stringify(stageLimits(LOCAL_EXPECTED_CODES_PER_DAY).limits),
      POWERTOOLS_SERVICE_NAME: 'sealtext',
      POWERTOOLS_METRICS_NAMESPACE: 'Sealtext',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
    });

    const awsCalls: CallTally = new Map();

    const handlers = Object.fromEntries(
      await Promise.all(
        FUNCTION_NAMES.map(async (fn) => [fn, ((await import(`../../functions/${fn}.ts`)) as { handler: Handler }).handler] as const),
      ),
    );
    // The sealer runs beside the API on the schedule it has in AWS, one run at a time
    // (AWS: reserved concurrency 1); `POST /_local/audit/seal` queues a run now.
    const invoke = (fn: string) => handlers[fn] as unknown as (e: unknown, c: ReturnType<typeof lambdaContext>) => Promise<unknown>;
    const sealer = scheduled('audit sealer', () => invoke('seal-audit')({}, lambdaContext('seal-audit')), options.sealEveryMs ?? 60_000);
    const seal = sealer.run;

    // The outbox's other half: the audit stream's publisher, the webhook queue's consumer, delivery
    // receipts for the outbox's SMS, and the expiry sweep on its schedule (`POST /_local/expiry/sweep` now).
    const poller = startStreamPoller(dynamo.endpoint, LOCAL_TABLE_NAMES.Audit, 'publish-events', invoke('publish-events'));
    // The audit stream's second reader, as in AWS: approvals -> range credits (it skips other events itself).
    const credits = startStreamPoller(dynamo.endpoint, LOCAL_TABLE_NAMES.Audit, 'credit-ranges', invoke('credit-ranges'));
    // The retention archive's outbox: copies committed with their sends, moved into .local/archive/.
    const archiver = startStreamPoller(dynamo.endpoint, LOCAL_TABLE_NAMES.ArchiveOutbox, 'archive-messages', invoke('archive-messages'));
    await Promise.all([poller.ready, credits.ready, archiver.ready]);
    await drainArchiveOutbox(dynamo.endpoint, LOCAL_TABLE_NAMES.ArchiveOutbox, invoke('archive-messages'));
    const webhooks = consumeWebhookQueue(invoke('deliver-webhooks'));
    const fallback = consumeFallbackQueue(invoke('advance-workflows'), Number(process.env.FALLBACK_DELAY_SCALE ?? '1'));
    const receipts = localReceipts(layout.outboxFile, invoke('sms-receipts'));
    const sweeper = scheduled('expiry sweep', () => invoke('sweep-expiries')({}, lambdaContext('sweep-expiries')), options.sweepEveryMs ?? 30_000);
    const ok = (body: unknown) => ({ statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(body) });

    const host = options.host ?? '127.0.0.1';
    const server = createGateway({
      oauth: new LocalOAuth(layout.clientsFile, layout.tokenKeyFile, `http://${host}:${options.port}/oauth2`),
      outboxFile: layout.outboxFile,
      metricsFile: layout.metricsFile,
      handlers,
      seal,
      awsCalls,
      localRoutes: {
        'POST /_local/delivery': receipts.route,
        'POST /_local/channels': receipts.channelsRoute,
        'GET /_local/delivery/pending': async () => ok({ pending: receipts.pending() }),
        'POST /_local/expiry/sweep': async () => ok(await sweeper.run()),
        'GET /_local/webhooks/dead': async () => ok({ jobs: webhooks.queue.dead }),
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    // Known only now (the port may have been 0); no request has been served yet, so config() sees it.
    process.env.PUBLIC_BASE_URL = `http://${host}:${port}`;
    // Every DynamoDB round trip the handlers make, retries included (GET /_local/aws-calls).
    // Only now: the client reads the configuration, which must already hold the URL above.
    countAwsCalls(dynamoClients().raw, awsCalls, 'DynamoDB');
    // The functions behind the events (publisher, range credits, receipts, sweep), apart: work after the response.
    countAwsCalls(backgroundClients().raw, awsCalls, 'Background.DynamoDB');
    // For tools that talk to this stack's DynamoDB Local (npm run audit:verify).
    writeFileSync(layout.stackFile, JSON.stringify({ url: `http://${host}:${port}`, dynamoEndpoint: dynamo.endpoint, tables: LOCAL_TABLE_NAMES, pid: process.pid }, null, 2));

    const stop = async () => {
      await sealer.stop();
      await sweeper.stop();
      receipts.stop();
      webhooks.stop();
      fallback.stop();
      await poller.stop();
      await credits.stop();
      await archiver.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dynamo.stop();
      rmSync(layout.stackFile, { force: true });
    };
    return { url: `http://${host}:${port}`, layout, dynamo, stop };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}

/**
 * A scheduled function as EventBridge and a reserved concurrency of 1 run it: every `everyMs`, one
 * run at a time; `run()` queues one now (the local routes that trigger it).
 */
function scheduled(name: string, invoke: () => Promise<unknown>, everyMs: number) {
  let last: Promise<unknown> = Promise.resolve();
  const run = () => {
    const next = last.then(invoke);
    last = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    run().catch((error: unknown) => process.stderr.write(`${name}: ${(error as Error).name}: ${(error as Error).message}\n`));
  }, everyMs);
  timer.unref();
  return {
    run,
    stop: async () => {
      clearInterval(timer);
      await last;
    },
  };
}
