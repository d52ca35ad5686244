import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping, FilterCriteria, FilterRule, StartingPosition, type Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { lockedBucketProps } from './locked-bucket.ts';
import { parkedMessagesAlarm } from './queue-alarm.ts';

/**
 * The retention archive (deploy setting `archive`): an S3 bucket with Object Lock in compliance
 * mode for the retention period (nobody can delete or overwrite a record before it ends, the
 * account's administrators included), SSE-KMS with the CMK (the records are also enveloped under
 * their own purpose), versioned, TLS only, no public access, expired by lifecycle after retention.
 * send-message commits each copy to the archive outbox table with the message; the archiver, fed by
 * that table's stream, is the only writer of the bucket (create-only); get-archived-message reads.
 */
export class MessageArchiveBucket extends Construct {
  readonly bucket: Bucket;
  /** Stream batches the archiver could not archive after its retries; their copies stay in the outbox. */
  readonly failures: Queue;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { cmk: IKey; retentionDays: number; categories: readonly string[]; outbox: ITable; stage: string; removalPolicy: RemovalPolicy },
  ) {
    super(scope, id);
    // Locked records outlive the stack: the law, not the deploy, decides when they go.
    this.bucket = new Bucket(this, 'Archive', lockedBucketProps(props.cmk, props.retentionDays));
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Archive objects are written once and locked in compliance mode; every read goes through get-archived-message, which audits it with its reason (and CloudTrail S3 data events can log object access).',
    });
    this.failures = new Queue(this, 'ArchiveFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: props.removalPolicy, retentionPeriod: Duration.days(14) });
    Validations.of(this.failures).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the archiver\'s on-failure destination (a dead-letter queue itself).' });
  }

  /** The sender: puts each copy in the outbox, in the send's transaction (PutItem; nothing else on that table). */
  grantOutboxWrite(fn: LambdaFn) {
    this.outboxEnvironment(fn);
    fn.addEnvironment('ARCHIVE_CATEGORIES', this.props.categories.join(','));
    fn.addEnvironment('ARCHIVE_RETENTION_DAYS', String(this.props.retentionDays));
    fn.addToRolePolicy(new PolicyStatement({ sid: 'ArchiveOutboxWrite', actions: ['dynamodb:PutItem'], resources: [this.props.outbox.tableArn] }));
  }

  /** The archiver: the outbox's stream (inserts only), create-only writes to the bucket, then the copy's removal from the outbox. */
  addArchiver(fn: LambdaFn) {
    this.grant(fn, 'ArchiveWrite', ['s3:PutObject', 's3:PutObjectRetention'], ['kms:GenerateDataKey'], { Null: { 's3:if-none-match': 'false' } });
    this.outboxEnvironment(fn);
    fn.addToRolePolicy(new PolicyStatement({ sid: 'ArchiveOutboxRemove', actions: ['dynamodb:DeleteItem'], resources: [this.props.outbox.tableArn] }));
    // Declared without CDK's grant helper (whose grant adds a direct kms:Decrypt): the stream is read
    // through DynamoDB, which the functions' ViaService grant covers.
    const inserts: Record<string, unknown> = FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') as unknown });
    new EventSourceMapping(this, 'OutboxStream', {
      target: fn,
      eventSourceArn: this.props.outbox.tableStreamArn!,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      retryAttempts: 10,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.failures),
      filters: [inserts],
    });
    fn.addToRolePolicy(new PolicyStatement({
      sid: 'ArchiveOutboxStreamRead',
      actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      resources: [this.props.outbox.tableStreamArn!],
    }));
    fn.addToRolePolicy(new PolicyStatement({ sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams has no resource-level ARN (Lambda\'s stream poller calls it); the stream reads themselves are on the archive outbox\'s stream only.',
    });
  }

  /** The reader: archived records, and copies still waiting in the outbox (seconds after their send). */
  grantRead(fn: LambdaFn) {
    this.grant(fn, 'ArchiveRead', ['s3:GetObject'], ['kms:Decrypt']);
    this.outboxEnvironment(fn);
    fn.addToRolePolicy(new PolicyStatement({ sid: 'ArchiveOutboxRead', actions: ['dynamodb:GetItem'], resources: [this.props.outbox.tableArn] }));
  }

  /** Copies that could not be archived after every retry: they wait in the outbox, and ops are told. The alarm goes in `scope` (the monitoring stack). */
  addAlarm(topic: ITopic, scope: Construct) {
    parkedMessagesAlarm(scope, {
      stage: this.props.stage, id: 'ArchiveFailures', queue: this.failures, topic,
      description: 'Archived copies could not be written to the retention archive after retries; they are safe in the archive outbox table. Check the archive-messages logs (bucket, key, KMS), fix, then replay the batch from the queue\'s stream positions (or re-put the outbox items).',
    });
  }

  private outboxEnvironment(fn: LambdaFn) {
    fn.addEnvironment('ARCHIVE_OUTBOX_TABLE_NAME', this.props.outbox.tableName);
  }

  private grant(fn: LambdaFn, sid: string, s3: string[], kms: string[], conditions?: Record<string, Record<string, string>>) {
    fn.addEnvironment('ARCHIVE_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ sid, actions: s3, resources: [this.bucket.arnForObjects('messages/*')], ...(conditions ? { conditions } : {}) }));
    fn.addToRolePolicy(new PolicyStatement({
      sid: `${sid}Encryption`, actions: kms, resources: [this.props.cmk.keyArn],
      conditions: { StringLike: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    }));
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never)}.Arn>/messages/*]`,
      reason: 'One object per archived message under messages/ (named by its id); the bucket holds nothing else.',
    });
  }
}
