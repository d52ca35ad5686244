import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { lockedBucketProps } from './locked-bucket.ts';

/**
 * The retention archive (deploy setting `archive`): an S3 bucket with Object Lock in compliance
 * mode for the retention period (nobody can delete or overwrite a record before it ends, the
 * account's administrators included), SSE-KMS with the CMK (the records are also enveloped under
 * their own purpose), versioned, TLS only, no public access, expired by lifecycle after retention.
 * send-message writes, get-archived-message reads; nothing else touches it.
 */
export class MessageArchiveBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, private readonly props: { cmk: IKey; retentionDays: number; categories: readonly string[] }) {
    super(scope, id);
    // Locked records outlive the stack: the law, not the deploy, decides when they go.
    this.bucket = new Bucket(this, 'Archive', lockedBucketProps(props.cmk, props.retentionDays));
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Archive objects are written once and locked in compliance mode; every read goes through get-archived-message, which audits it with its reason (and CloudTrail S3 data events can log object access).',
    });
  }

  grantWrite(fn: LambdaFn) {
    this.grant(fn, 'ArchiveWrite', ['s3:PutObject', 's3:PutObjectRetention'], ['kms:GenerateDataKey']);
    fn.addEnvironment('ARCHIVE_CATEGORIES', this.props.categories.join(','));
    fn.addEnvironment('ARCHIVE_RETENTION_DAYS', String(this.props.retentionDays));
  }

  grantRead(fn: LambdaFn) {
    this.grant(fn, 'ArchiveRead', ['s3:GetObject'], ['kms:Decrypt']);
  }

  private grant(fn: LambdaFn, sid: string, s3: string[], kms: string[]) {
    fn.addEnvironment('ARCHIVE_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ sid, actions: s3, resources: [this.bucket.arnForObjects('messages/*')] }));
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
