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

  it('lets send-message write records and get-archived-message read them, and nobody else touch the bucket', () => {
    const [id] = buckets()[0]!;
    const onBucket = statements.filter(({ statement }) => JSON.stringify(statement.Resource ?? '').includes(id));
    const byRole = Object.fromEntries(onBucket.map(({ role, statement }) => [role, [...actionsOf(statement)].sort()]));
    expect(byRole).toEqual({
      [roleOf(template, 'send-message')]: ['s3:PutObject', 's3:PutObjectRetention'],
      [roleOf(template, 'get-archived-message')]: ['s3:GetObject'],
    });
    for (const { statement } of onBucket) expect(JSON.stringify(statement.Resource)).toContain('/messages/*');
    // The reader opens archive envelopes only; it can't read live bodies.
    const unwrap = statements.find(({ role, statement }) => role === roleOf(template, 'get-archived-message') && statement.Sid === 'UnwrapKeys')!;
    expect(unwrap.statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).toEqual(['message-archive']);
    expect(nag.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
