import { Aws, Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping, FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, SubscriptionFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { CfnConfigurationSet } from 'aws-cdk-lib/aws-smsvoice';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_SECONDS } from '#shared/webhooks/backoff';
import type { StageSettings } from '../settings.ts';
import { accountCall } from './account-call.ts';
import { parkedMessagesAlarm } from './queue-alarm.ts';
import { logGroupArn, nagLogGroupArn, nagSnsDeliveryLogGroup, snsDeliveryLogGroup } from './log-group-arn.ts';

export type EventFunctions = { publisher: IFunction; deliverer: IFunction; receipts: IFunction; sweeper: IFunction; rangeCredits: IFunction; fallback: IFunction };

/**
 * The outbox's AWS half: the audit table's stream feeds the publisher (inserted events only); the
 * publisher puts CloudEvents on the bus `sealtext-<stage>` and webhook jobs on an encrypted queue,
 * whose deliverer retries by hiding a message for its backoff and whose dead-letter queue alarms.
 * Delivery receipts reach one function from SNS's delivery status logs (a subscription filter) or
 * End User Messaging's events (a rule on the default bus); a one-minute schedule runs the sweep.
 */
export class SealtextEvents extends Construct {
  readonly bus: EventBus;
  readonly webhookQueue: Queue;
  readonly webhookDeadLetters: Queue;
  readonly publishFailures: Queue;
  readonly rangeCreditFailures: Queue;
  readonly fallbackTriggers: Queue;
  readonly fallbackDeadLetters: Queue;
  readonly configurationSetName: string | undefined;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: { settings: StageSettings; key: IKey; auditTable: ITable; functions: EventFunctions; logRetention: RetentionDays; removalPolicy: RemovalPolicy; channels: Construct }) {
    super(scope, id);
    const { settings, functions } = props;
    const stage = settings.stage;
    this.stage = stage;

    this.bus = new EventBus(this, 'Bus', { eventBusName: `sealtext-${stage}` });
    this.bus.grantPutEventsTo(functions.publisher);

    // SQS-managed SSE: jobs hold event ids and masked numbers only, and no function needs a KMS grant for them.
    const queueDefaults = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: props.removalPolicy };
    this.webhookDeadLetters = new Queue(this, 'WebhookDeadLetters', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    // Retention outlasts the whole schedule (≤ 36.4 h with jitter); the deliverer's answer sets each wait.
    const scheduleSeconds = RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0) * 1.1;
    this.webhookQueue = new Queue(this, 'Webhooks', {
      ...queueDefaults,
      retentionPeriod: Duration.seconds(Math.max(4 * 86_400, Math.ceil(scheduleSeconds) + 86_400)),
      visibilityTimeout: Duration.minutes(6),
      deadLetterQueue: { queue: this.webhookDeadLetters, maxReceiveCount: MAX_ATTEMPTS },
    });
    Validations.of(this.webhookDeadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the webhook queue\'s dead-letter queue.' });
    this.webhookQueue.grantSendMessages(functions.publisher);
    functions.deliverer.addEventSource(new SqsEventSource(this.webhookQueue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 20 }));

    // Workflow fallback (API 1.2): the publisher schedules each step's timeout (a delayed message)
    // and each failed receipt's check; advance-workflows sends the next step. Triggers hold ids only.
    this.fallbackDeadLetters = new Queue(props.channels, 'FallbackDeadLetters', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    Validations.of(this.fallbackDeadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the fallback triggers\' dead-letter queue.' });
    this.fallbackTriggers = new Queue(props.channels, 'FallbackTriggers', {
      ...queueDefaults,
      // A trigger is worth nothing after the code expires (at most 10 minutes after its step).
      retentionPeriod: Duration.hours(1),
      visibilityTimeout: Duration.minutes(6),
      deadLetterQueue: { queue: this.fallbackDeadLetters, maxReceiveCount: 5 },
    });
    this.fallbackTriggers.grantSendMessages(functions.publisher);
    functions.fallback.addEventSource(new SqsEventSource(this.fallbackTriggers, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true, maxConcurrency: 20 }));

    // Stream batches that keep failing are parked here (their events stay in the audit trail).
    this.publishFailures = new Queue(this, 'PublishFailures', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    Validations.of(this.publishFailures).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the events publisher\'s on-failure destination (a dead-letter queue itself).' });
    this.rangeCreditFailures = new Queue(this, 'RangeCreditFailures', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    Validations.of(this.rangeCreditFailures).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the range credits\' on-failure destination (a dead-letter queue itself).' });
    // The audit stream's two readers (DynamoDB Streams allows two per shard): every event for the
    // publisher, approvals only for the range credits. The mappings are declared without CDK's grant
    // helper, whose grant includes a direct kms:Decrypt; the stream is read through DynamoDB, which
    // the functions' ViaService grant already covers. Inserts of events only (seals share the table).
    const readStream = (mappingId: string, target: IFunction, parked: Queue, image?: Record<string, unknown>) => {
      new EventSourceMapping(this, mappingId, {
        target,
        eventSourceArn: props.auditTable.tableStreamArn!,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(parked),
        filters: [FilterCriteria.filter({
          eventName: FilterRule.isEqual('INSERT') as unknown,
          dynamodb: { Keys: { pk: { S: FilterRule.beginsWith('E#') } }, ...(image ? { NewImage: image } : {}) },
        })],
      });
      target.addToRolePolicy(new PolicyStatement({
        sid: 'AuditStreamRead',
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [props.auditTable.tableStreamArn!],
      }));
      target.addToRolePolicy(new PolicyStatement({ sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }));
      Validations.of(target.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'dynamodb:ListStreams has no resource-level ARN (Lambda\'s stream poller calls it); the stream reads themselves are on the audit table\'s stream only.',
      });
    };
    readStream('AuditStream', functions.publisher, this.publishFailures);
    readStream('ApprovalStream', functions.rangeCredits, this.rangeCreditFailures, { action: { S: FilterRule.isEqual('otp.verify') as unknown }, outcome: { S: FilterRule.isEqual('approved') as unknown } });

    // SNS writes SMS delivery status logs into two groups it names itself, one pair per account and
    // region, shared by every stage there: no stage may own them as resources (a second stage, or a
    // redeploy after a destroy, would collide with "already exists"). Each SNS stage makes sure they
    // exist (a create that tolerates "already exists", never a delete) and subscribes its receipts
    // function; CloudWatch Logs allows two subscription filters per group, so two SNS stages per
    // account and region (docs/deploy.md). The stage that owns the account's SMS settings sets retention.
    if (settings.smsProvider === 'sns') {
      for (const [name, suffix] of [['Delivered', ''], ['Failed', '/Failure']] as const) {
        const logGroupName = snsDeliveryLogGroup(suffix);
        const arn = logGroupArn(logGroupName);
        const common = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };
        const ensure = accountCall(this, `SnsSmsLogs${name}`, {
          call: {
            service: 'CloudWatchLogs', action: 'createLogGroup', parameters: { logGroupName },
            physicalResourceId: PhysicalResourceId.of(`sealtext-${stage}-sns-sms-logs-${name.toLowerCase()}`), ignoreErrorCodesMatching: 'ResourceAlreadyExistsException',
          },
          statements: [new PolicyStatement({ actions: ['logs:CreateLogGroup'], resources: [arn, `${arn}:*`] })], ...common,
        });
        const nagArn = nagLogGroupArn(`${nagSnsDeliveryLogGroup(suffix)}:*`);
        const streams = { id: `AwsSolutions-IAM5[Resource::${nagArn}]`, reason: 'The log group\'s ARN in the form CloudWatch Logs authorizes group actions against (name:*); this one group only.' };
        Validations.of(ensure).acknowledge(streams);
        const group = LogGroup.fromLogGroupName(this, `SnsSmsLogGroup${name}`, logGroupName);
        if (settings.manageAccountSmsSettings) {
          const retention = accountCall(this, `SnsSmsLogsRetention${name}`, {
            call: {
              service: 'CloudWatchLogs', action: 'putRetentionPolicy', parameters: { logGroupName, retentionInDays: settings.logRetentionDays },
              physicalResourceId: PhysicalResourceId.of(`sealtext-${stage}-sns-sms-logs-retention-${name.toLowerCase()}`),
            },
            statements: [new PolicyStatement({ actions: ['logs:PutRetentionPolicy'], resources: [arn, `${arn}:*`] })], ...common,
          });
          Validations.of(retention).acknowledge(streams);
          retention.node.addDependency(ensure);
        }
        new SubscriptionFilter(this, `Receipts${name}`, { logGroup: group, destination: new LambdaDestination(functions.receipts), filterPattern: FilterPattern.allEvents() })
          .node.addDependency(ensure);
      }
    }

    if (settings.smsProvider !== 'sns') {
      const set = new CfnConfigurationSet(this, 'EumConfigurationSet', { configurationSetName: `sealtext-${stage}` });
      this.configurationSetName = set.configurationSetName;
      new Rule(this, 'EumReceipts', {
        description: 'End User Messaging SMS delivery events -> the receipts function',
        // Voice call states come the same way (their own detail-type), read by the same receipts function.
        eventPattern: { source: ['aws.sms-voice'], detailType: ['Text Message Delivery Status Updated', 'Voice Message Delivery Status Updated'] },
        targets: [new LambdaFunction(functions.receipts, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
      });
    }

    if (settings.whatsapp) {
      new Rule(props.channels, 'WhatsAppReceipts', {
        description: 'End User Messaging Social (WhatsApp) message statuses and inbound messages -> the receipts function',
        eventPattern: { source: ['aws.social-messaging'] },
        targets: [new LambdaFunction(functions.receipts, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
      });
    }

    new Rule(this, 'SweepEveryMinute', {
      description: 'Timely expired events: the expiry sweep',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(functions.sweeper, { retryAttempts: 0 })],
    });
  }

  /**
   * Grants a function that sends SMS through End User Messaging its one action: on the stage's
   * configuration set and the origination identity named in the settings (an ARN), else on the
   * account's phone numbers, sender ids, pools and Protect configurations of this region.
   */
  grantEumSend(fn: IFunction, settings: StageSettings) {
    const arn = (type: string, id: string) => `arn:${Aws.PARTITION}:sms-voice:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}/${id}`;
    const identity = settings.eumOriginationIdentity?.startsWith('arn:') ? [settings.eumOriginationIdentity] : ['phone-number', 'sender-id', 'pool'].map((t) => arn(t, '*'));
    const protect = settings.eumProtectConfigurationId ? [arn('protect-configuration', settings.eumProtectConfigurationId)] : [];
    fn.addToRolePolicy(new PolicyStatement({
      sid: 'EumSendText',
      actions: ['sms-voice:SendTextMessage'],
      resources: [arn('configuration-set', this.configurationSetName ?? `sealtext-${this.stage}`), ...identity, ...protect],
    }));
    for (const t of ['phone-number', 'sender-id', 'pool']) {
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:${t}/*]`,
        reason: 'Without an origination identity ARN in the settings, End User Messaging picks the account\'s number, sender id or pool for the destination; the action is SendTextMessage only.',
      });
    }
  }

  /**
   * Voice codes: SendVoiceMessage only, from the configured identity, through the stage's
   * configuration set (whose events are the call's receipts).
   */
  grantVoiceSend(fn: IFunction, originationIdentity: string) {
    const arn = (type: string, id: string) => `arn:${Aws.PARTITION}:sms-voice:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}/${id}`;
    const identity = originationIdentity.startsWith('arn:')
      ? originationIdentity
      : arn(originationIdentity.startsWith('pool-') ? 'pool' : 'phone-number', originationIdentity);
    fn.addToRolePolicy(new PolicyStatement({
      sid: 'EumSendVoice',
      actions: ['sms-voice:SendVoiceMessage'],
      resources: [arn('configuration-set', this.configurationSetName ?? `sealtext-${this.stage}`), identity],
    }));
  }

  /**
   * Codes through End User Messaging Notify: its send actions only, on the stage's Notify
   * configuration and configuration set (whose events are the receipts).
   */
  grantNotifySend(fn: IFunction, notify: NonNullable<StageSettings['notify']>) {
    const arn = (type: string, id: string) => `arn:${Aws.PARTITION}:sms-voice:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}/${id}`;
    fn.addToRolePolicy(new PolicyStatement({
      sid: 'NotifySendCodes',
      actions: ['sms-voice:SendNotifyTextMessage', ...(notify.voice ? ['sms-voice:SendNotifyVoiceMessage'] : [])],
      resources: [
        arn('configuration-set', this.configurationSetName ?? `sealtext-${this.stage}`),
        notify.configurationId.startsWith('arn:') ? notify.configurationId : arn('notify-configuration', notify.configurationId),
      ],
    }));
  }

  /**
   * WhatsApp codes: SendWhatsAppMessage only, from the one linked number named in the settings
   * (its ARN names the id without the `phone-number-id-` prefix).
   */
  grantWhatsAppSend(fn: IFunction, phoneNumberId: string) {
    fn.addToRolePolicy(new PolicyStatement({
      sid: 'WhatsAppSend',
      actions: ['social-messaging:SendWhatsAppMessage'],
      resources: [`arn:${Aws.PARTITION}:social-messaging:${Aws.REGION}:${Aws.ACCOUNT_ID}:phone-number-id/${phoneNumberId.replace(/^phone-number-id-/, '')}`],
    }));
  }

  /** A dead letter is a webhook nobody received after every retry, or a stream batch never published. The alarms go in `scope` (the monitoring stack). */
  addAlarms(topic: ITopic, scope: Construct) {
    const alarms = [
      ['WebhookDeadLetters', this.webhookDeadLetters, 'Webhook deliveries gave up after every retry (over 24 h). The client\'s endpoint is down or refusing; the events are still in GET /v1/events. Inspect the dead-letter queue, tell the client, redrive when it is back.'],
      ['PublishFailures', this.publishFailures, 'A batch of the audit stream could not be published after retries: events for those actions are missing from the bus, webhooks and the feed. Check the publish-events logs, fix, then replay the batch from the queue\'s stream positions.'],
      ['FallbackDeadLetters', this.fallbackDeadLetters, 'Workflow fallback triggers failed after every retry: those verifications did not move to their next channel (the person may still have the first code). Check the advance-workflows logs; the codes have expired by now, nothing to replay.'],
      ['RangeCreditFailures', this.rangeCreditFailures, 'A batch of approvals could not credit their ranges after retries: new people who verified in those ranges count as unconverted for the rest of the window (sends there may be refused earlier than they should). Check the credit-ranges logs; the window passes in 15 minutes, nothing else to repair.'],
    ] as const;
    for (const [id, queue, description] of alarms) parkedMessagesAlarm(scope, { stage: this.stage, id, queue, description, topic });
  }
}
