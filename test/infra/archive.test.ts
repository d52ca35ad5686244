import { describe, expect, it } from 'vitest';
import { actionsOf, NO_BUNDLING, roleOf, roleStatements, synthesized } from './synth.ts';

/** The retention archive (setting `archive`): Object Lock, TLS only, no public access, least privilege. */
const { template, nag } = synthesized({ ...NO_BUNDLING, archive: JSON.stringify({ categories: ['transactional'], retentionDays: 2555 }) });
const statements = roleStatements(template);

describe('retention archive', () => {
  const buckets = () => Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id.includes('MessageArchive'));

  it('is a bucket with Object Lock in compliance mode for the retention, SSE-KMS, versioned, no public access, expired after', () => {
    expect(buckets()).toHaveLength(1);
    const [, bucket] = buckets()[0]!;
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(2556);
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  it('has a bucket policy that refuses anything but TLS', () => {
    const [id] = buckets()[0]!;
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket).includes(id))!;
    const deny = (policy.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[]).find((s) => s.Effect === 'Deny')!;
    expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('lets only the archiver write records (create-only) and get-archived-message read them; nobody else touches the bucket', () => {
    const [id] = buckets()[0]!;
    const onBucket = statements.filter(({ statement }) => JSON.stringify(statement.Resource ?? '').includes(id));
    const byRole = Object.fromEntries(onBucket.map(({ role, statement }) => [role, [...actionsOf(statement)].sort()]));
    expect(byRole).toEqual({
      [roleOf(template, 'archive-messages')]: ['s3:PutObject', 's3:PutObjectRetention'],
      [roleOf(template, 'get-archived-message')]: ['s3:GetObject'],
    });
    for (const { statement } of onBucket) expect(JSON.stringify(statement.Resource)).toContain('/messages/*');
    // Create-only: a write without If-None-Match (an overwrite, a new locked version) is not allowed.
    const write = onBucket.find(({ role }) => role === roleOf(template, 'archive-messages'))!;
    expect(write.statement.Condition).toEqual({ Null: { 's3:if-none-match': 'false' } });
    // The reader opens archive envelopes only; it can't read live bodies. The archiver opens nothing.
    const unwrap = statements.find(({ role, statement }) => role === roleOf(template, 'get-archived-message') && statement.Sid === 'UnwrapKeys')!;
    expect(unwrap.statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).toEqual(['message-archive']);
    expect(statements.filter(({ role, statement }) => role === roleOf(template, 'archive-messages') && ['UnwrapKeys', 'NewDataKeys'].includes(statement.Sid ?? ''))).toEqual([]);
    expect(nag.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('has an outbox table whose stream feeds the archiver (inserts only, retried from the failed record, parked and alarmed after): the sender puts, the archiver deletes, the reader gets', () => {
    const outboxes = Object.entries(template.findResources('AWS::DynamoDB::Table')).filter(([id]) => id.includes('ArchiveOutbox'));
    expect(outboxes).toHaveLength(1);
    const [outboxId, outbox] = outboxes[0]!;
    expect(outbox.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(outbox.Properties.KeySchema).toEqual([{ AttributeName: 'messageId', KeyType: 'HASH' }]);
    expect(outbox.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    const onOutbox = statements.filter(({ statement }) => JSON.stringify(statement.Resource ?? '').includes(outboxId) && !JSON.stringify(statement.Resource).includes('StreamArn'));
    const byRole = Object.fromEntries(onOutbox.map(({ role, statement }) => [role, [...actionsOf(statement)].sort()]));
    expect(byRole).toEqual({
      [roleOf(template, 'send-message')]: ['dynamodb:PutItem'],
      [roleOf(template, 'archive-messages')]: ['dynamodb:DeleteItem'],
      [roleOf(template, 'get-archived-message')]: ['dynamodb:GetItem'],
    });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m.Properties.EventSourceArn).includes(outboxId));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({
      BisectBatchOnFunctionError: true, MaximumRetryAttempts: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    });
    expect(JSON.stringify(mappings[0]!.Properties.DestinationConfig.OnFailure.Destination)).toContain('ArchiveFailures');
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string)).toContain('sealtext-dev-ArchiveFailures');
  });

  it('exists only on stages that keep an archive: no archiver, no outbox table elsewhere', () => {
    const plain = synthesized(NO_BUNDLING).template;
    expect(Object.keys(plain.findResources('AWS::DynamoDB::Table')).filter((id) => id.includes('ArchiveOutbox'))).toEqual([]);
    expect(Object.values(plain.findResources('AWS::Lambda::Function')).map((f) => f.Properties.FunctionName as string).filter((n) => n?.endsWith('archive-messages'))).toEqual([]);
  });
});
