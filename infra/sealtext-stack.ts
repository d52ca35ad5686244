import { Aws, CfnOutput, Duration, NestedStack, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { opsTopic, SealtextAlarms } from './constructs/alarms.ts';
import { SealtextApi } from './constructs/api.ts';
import { APP_CONTEXT, PURPOSE_CONTEXT, SealtextKeys } from './constructs/keys.ts';
import { SealtextFunction } from './constructs/sealtext-function.ts';
import { SealtextSms } from './constructs/sms.ts';
import { SealtextTables } from './constructs/tables.ts';
import { HMAC_KEY_CONTEXT } from '#shared/adapters/crypto/kms-keyring';
import { AUDIT_RESOURCE_INDEX, AUDIT_SUBJECT_INDEX, EXPIRY_INDEX, SMS_INDEX, SUBJECT_INDEX } from '#shared/adapters/store/tables';
import { SealtextEmail } from './constructs/email.ts';
import { SealtextEvents } from './constructs/events.ts';
import { MessageArchiveBucket } from './constructs/message-archive.ts';
import { AuditSeals, SEAL_PARTITIONS } from './constructs/audit-seals.ts';
import { FUNCTION_NEEDS, stageFunctionNames, type FunctionNeeds } from './permissions.ts';
import { EVENT_FUNCTIONS, FUNCTION_NAMES } from './routes.ts';
import { isDevStage, type StageSettings } from './settings.ts';
import { stageLimits } from './sizing.ts';

export type SealtextStackProps = StackProps & { settings: StageSettings };

/** Everything `cdk deploy` puts into the account for one stage. */
export class SealtextStack extends Stack {
  readonly functions: Record<string, SealtextFunction> = {};

  constructor(scope: Construct, id: string, props: SealtextStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const retain = !isDevStage(settings);
    // Kept on delete and on replacement, but removed when the stack's first create fails (CloudFormation's
    // RetainExceptOnCreate): a failed first deploy leaves nothing behind to collide with the retry.
    const removalPolicy = retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const logRetention = settings.logRetentionDays as RetentionDays;
    const limits = stageLimits(settings.expectedCodesPerDay, settings.rateLimits).limits;

    // One log group for every function of the stage: Lambda names each log stream after its function.
    const functionLogs = new LogGroup(this, 'FunctionLogs', { retention: logRetention, removalPolicy });
    const keys = new SealtextKeys(this, 'Keys', { stage: settings.stage, removalPolicy, logRetention, functionLogs, ...(settings.keyArn ? { adoptKeyArn: settings.keyArn } : {}), whatsapp: settings.whatsapp !== undefined });
    const tables = new SealtextTables(this, 'Tables', { key: keys.key, retain, archive: settings.archive !== undefined });
    const sms = new SealtextSms(this, 'Sms', { settings, key: keys.key, logRetention, removalPolicy });

    // The channels' machinery (fallback's queues and function) in a nested stack of its own: the
    // stack stays well under CloudFormation's 500 resources as channels come (docs/deploy.md).
    const eumFamily = settings.smsProvider !== 'sns';
    const channels = new NestedStack(this, 'Channels', { description: `Sealtext ${settings.stage}: channel fallback` });
    for (const name of stageFunctionNames(FUNCTION_NAMES, settings)) {
      const needs = FUNCTION_NEEDS[name];
      if (!needs) throw new Error(`infra/permissions.ts has no entry for ${name}`);
      const fn = new SealtextFunction(needs.channelsStack ? channels : this, `Fn-${name}`, {
        name,
        stage: settings.stage,
        logGroup: functionLogs,
        build: {
          smsProvider: eumFamily ? 'eum' : 'sns', archive: settings.archive !== undefined, notify: needs.notify === true && settings.notify !== undefined,
          voice: needs.voice === true && settings.voiceOriginationIdentity !== undefined, whatsapp: needs.whatsapp === true && settings.whatsapp !== undefined,
          email: needs.email === true && settings.email !== undefined,
        },
        ...(needs.sms && settings.smsFunctionConcurrency > 0 ? { reservedConcurrentExecutions: settings.smsFunctionConcurrency } : {}),
        // Nothing reserved for the sealer or the sweep: a new account (concurrency quota 10) can't reserve
        // any, and neither needs it, as two overlapping runs are safe (a seal's seq and each expiry are
        // conditional writes: one run wins, the other finds nothing to do).
        ...(needs.seal ? { timeout: Duration.seconds(120), memorySize: 512, separatePolicy: true } : {}),
        // A full verification reads the whole trail: as long as API Gateway waits.
        ...(needs.auditRead === 'verify' ? { timeout: Duration.seconds(29), memorySize: 512 } : {}),
        // A sweep within its minute; a stream batch or five webhook posts (10 s each at most) per invocation.
        ...(name === 'sweep-expiries' ? { timeout: Duration.seconds(55) } : {}),
        ...(needs.auditStream || needs.rangeCredit || needs.archiveOutbox === 'consume' ? { timeout: Duration.seconds(60) } : {}),
        ...(needs.webhookQueue === 'consume' || needs.fallbackQueue === 'consume' ? { timeout: Duration.seconds(60) } : {}),
        environment: {
          STAGE: settings.stage,
          POWERTOOLS_SERVICE_NAME: 'sealtext',
          POWERTOOLS_METRICS_NAMESPACE: 'Sealtext',
          DATA_TABLE_NAME: tables.data.tableName,
          KEY_SOURCE: 'kms',
          KMS_KEY_ARN: keys.key.keyArn,
          // Notify is End User Messaging: its other texts go through End User Messaging SMS.
          SMS_ADAPTER: eumFamily ? 'eum' : 'sns',
          ...(needs.sms && eumFamily
            ? {
                EUM_CONFIGURATION_SET: `sealtext-${settings.stage}`,
                ...(settings.eumOriginationIdentity ? { EUM_ORIGINATION_IDENTITY: settings.eumOriginationIdentity } : {}),
                ...(settings.eumProtectConfigurationId ? { EUM_PROTECT_CONFIGURATION_ID: settings.eumProtectConfigurationId } : {}),
              }
            : {}),
          ...(needs.voice && settings.voiceOriginationIdentity ? { VOICE_ADAPTER: 'eum', VOICE_ORIGINATION_IDENTITY: settings.voiceOriginationIdentity } : {}),
          ...(needs.notify && settings.notify
            ? {
                NOTIFY_CONFIGURATION_ID: settings.notify.configurationId, NOTIFY_VOICE: String(settings.notify.voice),
                ...(settings.notify.templates.en ? { NOTIFY_TEMPLATE_EN: settings.notify.templates.en } : {}),
                ...(settings.notify.templates.de ? { NOTIFY_TEMPLATE_DE: settings.notify.templates.de } : {}),
              }
            : {}),
          ...(needs.email && settings.email ? { EMAIL_ADAPTER: 'ses', EMAIL_FROM: settings.email.from, SES_CONFIGURATION_SET: `sealtext-${settings.stage}-mail` } : {}),
          ...(needs.whatsapp && settings.whatsapp
            ? { WHATSAPP_ADAPTER: 'social', WHATSAPP_PHONE_NUMBER_ID: settings.whatsapp.phoneNumberId, WHATSAPP_META_API_VERSION: settings.whatsapp.metaApiVersion, WHATSAPP_TEMPLATE_PREFIX: settings.whatsapp.templatePrefix,
              WHATSAPP_NOTICE_TEMPLATE: settings.whatsapp.noticeTemplate, WHATSAPP_DIRECT_TEMPLATE: settings.whatsapp.directTemplate }
            : {}),
          ALLOWED_COUNTRIES: settings.allowedCountries.join(','),
          ...(needs.idempotency ? { IDEMPOTENCY_TABLE_NAME: tables.idempotency.tableName } : {}),
          ...(needs.audit || needs.auditRead || needs.seal || needs.auditStream ? { AUDIT_TABLE_NAME: tables.audit.tableName, AUDIT_RETENTION_DAYS: String(settings.auditRetentionDays) } : {}),
          ...(needs.hmacKeys?.includes('codeHash') ? { WRAPPED_CODE_HASH_KEY: keys.wrappedCodeHashKey } : {}),
          ...(needs.hmacKeys?.includes('blindIndex') ? { WRAPPED_BLIND_INDEX_KEY: keys.wrappedBlindIndexKey } : {}),
          // The defaults (docs/limits.md), with the shared windows sized from the expected volume, then the stage's own.
          ...(Object.keys(limits).length ? { RATE_LIMITS: JSON.stringify(limits) } : {}),
          ...(settings.smsSenderId ? { SMS_SENDER_ID: settings.smsSenderId } : {}),
          ...(settings.otpWebDomain ? { OTP_WEB_DOMAIN: settings.otpWebDomain } : {}),
        },
      });
      grantNeeds(fn, needs, settings, { keyArn: keys.key.keyArn, dataTableArn: tables.data.tableArn, idempotencyTableArn: tables.idempotency.tableArn, auditTableArn: tables.audit.tableArn });
      this.functions[name] = fn;
    }

    // The outbox's other half: stream publisher, bus, webhook queue, receipts, the expiry sweep.
    const events = new SealtextEvents(this, 'Events', {
      settings, key: keys.key, auditTable: tables.audit, logRetention, removalPolicy, channels,
      functions: {
        publisher: this.functions['publish-events']!.fn, deliverer: this.functions['deliver-webhooks']!.fn,
        receipts: this.functions['sms-receipts']!.fn, sweeper: this.functions['sweep-expiries']!.fn, rangeCredits: this.functions['credit-ranges']!.fn,
        fallback: this.functions['advance-workflows']!.fn,
      },
    });
    for (const [name, needs] of Object.entries(FUNCTION_NEEDS)) {
      const fn = this.functions[name]?.fn;
      if (!fn) continue;
      if (needs.bus) fn.addEnvironment('EVENT_BUS_NAME', events.bus.eventBusName);
      if (needs.webhookQueue) fn.addEnvironment('WEBHOOK_QUEUE_URL', events.webhookQueue.queueUrl);
      if (needs.fallbackQueue === 'send') fn.addEnvironment('FALLBACK_QUEUE_URL', events.fallbackTriggers.queueUrl);
      if (needs.sms && eumFamily) events.grantEumSend(fn, settings);
      if (needs.notify && settings.notify) events.grantNotifySend(fn, settings.notify);
      if (needs.voice && settings.voiceOriginationIdentity) events.grantVoiceSend(fn, settings.voiceOriginationIdentity);
      if (needs.whatsapp && settings.whatsapp) events.grantWhatsAppSend(fn, settings.whatsapp.phoneNumberId);
    }
    // E-mail, where the stage configures it: the identity, configuration set and receipts rule, in the channels' stack.
    if (settings.email) {
      const email = new SealtextEmail(channels, 'Email', { settings: { ...settings, email: settings.email }, receipts: this.functions['sms-receipts']!.fn });
      for (const [name, needs] of Object.entries(FUNCTION_NEEDS)) if (needs.email && this.functions[name]) email.grantSend(this.functions[name].fn);
      email.dkimRecords.forEach((r, i) => new CfnOutput(this, `EmailDkimRecord${i + 1}`, { value: `${r.name} CNAME ${r.value}`, description: `Easy DKIM record ${i + 1} of 3 for ${settings.email!.domain}: add it to the domain's DNS` }));
    }

    // The audit sealer, its signing key and the write-once seal archive; the readers get the public key.
    const sealer = this.functions['seal-audit']!;
    const seals = new AuditSeals(this, 'AuditSeals', {
      sealer: sealer.fn, sealerRole: sealer.fn.role!, cmk: keys.key, retentionDays: settings.auditRetentionDays, removalPolicy, stage: settings.stage,
    });
    seals.grantRead(this.functions['verify-audit']!.fn, { listSeals: true });
    seals.grantRead(this.functions['audit-public-key']!.fn, { listSeals: false });

    // Two-way SMS: inbound texts arrive on the encrypted topic.
    const inbound = this.functions['inbound-sms'];
    if (inbound) sms.inboundTopic.addSubscription(new LambdaSubscription(inbound.fn));

    const lambdas: Record<string, IFunction> = Object.fromEntries(Object.entries(this.functions).map(([n, f]) => [n, f.fn]));
    const routed = Object.fromEntries(Object.entries(lambdas).filter(([n]) => !EVENT_FUNCTIONS.includes(n)));
    const api = new SealtextApi(this, 'Http', { settings, functions: routed, logRetention, removalPolicy });
    // The link in a sealed message's SMS. Built from the API id and the stage name (not the Stage
    // resource) so the functions don't depend on the deployment that depends on them.
    const publicBaseUrl = settings.publicBaseUrl ?? `https://${api.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${settings.stage}`;
    // The publisher checks each webhook's client as Cognito has it now (its scopes, or gone).
    const publisher = this.functions['publish-events']!.fn;
    publisher.addEnvironment('USER_POOL_ID', api.userPool.userPoolId);
    publisher.addToRolePolicy(new PolicyStatement({ sid: 'CallerAppScopes', actions: ['cognito-idp:DescribeUserPoolClient'], resources: [api.userPool.userPoolArn] }));
    this.functions['send-message']?.fn.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);
    this.functions['send-message']?.fn.addEnvironment('REQUIRE_APPROVED_TEMPLATES', settings.requireApprovedTemplates);
    // Promotional e-mail's unsubscribe link (RFC 8058) points at this API; its page names the sender.
    if (settings.email) this.functions['unsubscribe-email']?.fn.addEnvironment('EMAIL_FROM', settings.email.from);
    // The retention archive, when the stage keeps one: the sender's outbox, the archiver, the reader.
    let archive: MessageArchiveBucket | undefined;
    if (settings.archive) {
      archive = new MessageArchiveBucket(this, 'MessageArchive', {
        cmk: keys.key, retentionDays: settings.archive.retentionDays, categories: settings.archive.categories, outbox: tables.archiveOutbox!, stage: settings.stage, removalPolicy,
      });
      archive.grantOutboxWrite(this.functions['send-message']!.fn);
      archive.addArchiver(this.functions['archive-messages']!.fn);
      archive.grantRead(this.functions['get-archived-message']!.fn);
    }
    // Alarms and the dashboard in a nested stack of their own: the stack's resources stay well under
    // CloudFormation's 500 as channels add functions (docs/deploy.md, "What the stack holds").
    const monitoring = new NestedStack(this, 'Monitoring', { description: `Sealtext ${settings.stage}: alarms and dashboard` });
    const alarms = new SealtextAlarms(monitoring, 'Alarms', { settings, opsTopic: opsTopic(this, settings, keys.key), api: api.api, functions: lambdas, tables: [tables.data, tables.idempotency, tables.audit] });
    events.addAlarms(alarms.opsTopic, monitoring);
    archive?.addAlarm(alarms.opsTopic, monitoring);

    // Everything an operator or a script needs, by name (docs/deploy.md "Outputs"); the API URL is the RestApi's own output.
    const outputs: Record<string, { value: string; description: string }> = {
      Stage: { value: settings.stage, description: 'The stage these resources belong to' },
      UserPoolId: { value: api.userPool.userPoolId, description: 'Cognito user pool of the calling apps' },
      TokenUrl: { value: api.tokenUrl, description: 'OAuth 2.0 token endpoint (client credentials, HTTP Basic)' },
      DataTable: { value: tables.data.tableName, description: 'Data table (npm run brake -- --data-table)' },
      AuditTable: { value: tables.audit.tableName, description: 'Audit table (npm run brake -- --audit-table, npm run audit:verify)' },
      IdempotencyTable: { value: tables.idempotency.tableName, description: 'Idempotency records (keyed hashes only; expire after 24 h)' },
      KeyArn: { value: keys.key.keyArn, description: 'The customer managed key (envelopes, tables, topics, archives)' },
      SealSigningKeyArn: { value: seals.signingKey.keyArn, description: 'The audit seal signing key (ECC_NIST_P256); GET /v1/audit/public-key serves its public half' },
      SealBucket: { value: seals.bucket.bucketName, description: 'Write-once audit seal archive (Object Lock, compliance mode)' },
      InboundTopicArn: { value: sms.inboundTopic.topicArn, description: settings.whatsapp ? 'Point your End User Messaging number\'s two-way channel, and your WhatsApp Business Account\'s event destination, here' : 'Point your End User Messaging number\'s two-way channel here' },
      OpsTopicArn: { value: alarms.opsTopic.topicArn, description: 'Alarm notifications' },
      EventBusName: { value: events.bus.eventBusName, description: 'Sealtext events (CloudEvents, source sealtext)' },
      ...(archive ? { ArchiveBucket: { value: archive.bucket.bucketName, description: 'Retention archive of messages (Object Lock, compliance mode)' } } : {}),
      ...(tables.archiveOutbox ? { ArchiveOutboxTable: { value: tables.archiveOutbox.tableName, description: 'Archived copies waiting for the archiver (normally empty within seconds)' } } : {}),
      ...Object.fromEntries(Object.entries(api.clientIds).map(([app, id]) => [`ClientId${app.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`, { value: id, description: `App client id of "${app}" (its secret: aws cognito-idp describe-user-pool-client)` }])),
    };
    for (const [id, o] of Object.entries(outputs)) new CfnOutput(this, id, o);
  }
}

/** Least privilege per function, written out rather than via broad grant helpers. */
function grantNeeds(
  f: SealtextFunction,
  needs: FunctionNeeds,
  settings: StageSettings,
  arns: { keyArn: string; dataTableArn: string; idempotencyTableArn: string; auditTableArn: string },
) {
  const add = (s: PolicyStatement) => f.fn.addToRolePolicy(s);
  const dataActions = [
    'dynamodb:GetItem',
    ...(needs.data === 'write' ? ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] : []),
    ...(needs.query ? ['dynamodb:Query'] : []),
    ...(needs.delete ? ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] : []),
  ];
  const indexArn = (name: string) => `${arns.dataTableArn}/index/${name}`;
  const leading = (keys: string[] | undefined) => (keys ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } } } : {});
  if (needs.data !== 'none') {
    add(new PolicyStatement({
      sid: 'DataTable',
      actions: [...dataActions, ...(needs.indexes?.length && !needs.query ? ['dynamodb:Query'] : [])],
      // The indexes live under the table's ARN; only functions that query one get it.
      resources: [
        arns.dataTableArn,
        ...(needs.query ? [indexArn(SUBJECT_INDEX)] : []),
        ...(needs.indexes ?? []).map((i) => indexArn(i === 'sms' ? SMS_INDEX : EXPIRY_INDEX)),
      ],
      ...leading(needs.leadingKeys),
    }));
  }
  if (needs.batchWrite) {
    add(new PolicyStatement({ sid: 'DataBatchWrite', actions: ['dynamodb:BatchWriteItem'], resources: [arns.dataTableArn], ...leading(needs.batchWrite) }));
  }
  if (needs.rangeCredit) {
    add(new PolicyStatement({ sid: 'RangeCredits', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [arns.dataTableArn], ...leading(['RANGE#*', 'RANGECREDIT#*']) }));
    // Any number's index may be asked (no leading-key condition on the index's keys); the filter reads its approvals and TRUST items.
    add(new PolicyStatement({ sid: 'TrustQuery', actions: ['dynamodb:Query'], resources: [indexArn(SUBJECT_INDEX)] }));
  }
  if (needs.auditStream) {
    // The stream itself is granted by the event source mapping; masks come from the resource index.
    add(new PolicyStatement({ sid: 'AuditResourceIndex', actions: ['dynamodb:Query'], resources: [`${arns.auditTableArn}/index/${AUDIT_RESOURCE_INDEX}`] }));
  }
  if (needs.idempotency) {
    add(new PolicyStatement({
      sid: 'IdempotencyTable',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [arns.idempotencyTableArn],
    }));
  }
  if (needs.audit) {
    // Append-only: no update or delete of audit events, ever.
    add(new PolicyStatement({ sid: 'AuditAppendOnly', actions: ['dynamodb:PutItem'], resources: [arns.auditTableArn] }));
  }
  if (needs.auditRead === 'list') {
    add(new PolicyStatement({
      sid: 'AuditRead',
      actions: ['dynamodb:Query', 'dynamodb:GetItem'],
      resources: [arns.auditTableArn, `${arns.auditTableArn}/index/${AUDIT_SUBJECT_INDEX}`, `${arns.auditTableArn}/index/${AUDIT_RESOURCE_INDEX}`],
    }));
  }
  if (needs.auditRead === 'verify') {
    // The check reads a piece at a time: a keys-only scan for the hours, events by partition, seals in order, their pages.
    add(new PolicyStatement({ sid: 'AuditVerify', actions: ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:GetItem'], resources: [arns.auditTableArn] }));
  }
  if (needs.seal) {
    add(new PolicyStatement({ sid: 'AuditSealerReads', actions: ['dynamodb:Query', 'dynamodb:GetItem'], resources: [arns.auditTableArn] }));
    // Seals only: the sealer can't write (or overwrite) an event.
    add(new PolicyStatement({
      sid: 'AuditSealerWritesSeals',
      actions: ['dynamodb:PutItem'],
      resources: [arns.auditTableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': SEAL_PARTITIONS } },
    }));
  }
  // Table SSE with the CMK: only through DynamoDB, never a direct call.
  add(new PolicyStatement({
    sid: 'TableEncryptionViaDynamoDb',
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: [arns.keyArn],
    conditions: { StringLike: { 'kms:ViaService': 'dynamodb.*.amazonaws.com' } },
  }));
  const decryptPurposes = [
    ...(needs.hmacKeys ?? []).map((k) => HMAC_KEY_CONTEXT[k].purpose),
    ...(needs.decrypt ?? []),
  ];
  if (decryptPurposes.length) {
    add(new PolicyStatement({
      sid: 'UnwrapKeys',
      actions: ['kms:Decrypt'],
      resources: [arns.keyArn],
      conditions: { StringEquals: { [APP_CONTEXT]: 'sealtext', [PURPOSE_CONTEXT]: decryptPurposes } },
    }));
  }
  if (needs.encrypt?.length) {
    add(new PolicyStatement({
      sid: 'NewDataKeys',
      actions: ['kms:GenerateDataKey'],
      resources: [arns.keyArn],
      conditions: { StringEquals: { [APP_CONTEXT]: 'sealtext', [PURPOSE_CONTEXT]: needs.encrypt } },
    }));
  }
  if (needs.sms && settings.smsProvider === 'sns') {
    // Phone numbers only: every topic ARN is excluded.
    add(new PolicyStatement({ sid: 'SmsToPhoneNumbers', actions: ['sns:Publish'], notResources: ['arn:aws:sns:*:*:*'] }));
  }
}
