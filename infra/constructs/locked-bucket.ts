import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, BucketEncryption, ObjectLockRetention, type BucketProps } from 'aws-cdk-lib/aws-s3';

/**
 * A write-once bucket: Object Lock in compliance mode for `retentionDays` (nobody, the account's
 * administrators included, can delete or overwrite an object before), versioned, SSE-KMS with the
 * CMK, TLS only, no public access, expired by lifecycle a day after, and kept when the stack goes.
 * The audit seals and the message archive both use it.
 */
export function lockedBucketProps(cmk: IKey, retentionDays: number): BucketProps {
  return {
    objectLockEnabled: true,
    objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(retentionDays)),
    versioned: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.KMS,
    encryptionKey: cmk,
    bucketKeyEnabled: true,
    lifecycleRules: [{ expiration: Duration.days(retentionDays + 1), noncurrentVersionExpiration: Duration.days(retentionDays + 1) }],
    // Object Lock keeps what it holds; a bucket created by a first deploy that failed is empty and goes.
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  };
}
