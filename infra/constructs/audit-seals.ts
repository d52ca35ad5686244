import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountRootPrincipal, AnyPrincipal, ArnPrincipal, Effect, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage, type IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { lockedBucketProps } from './locked-bucket.ts';

/** The partitions the sealer writes: seal headers, their pages and the per-seq guards (adapters/store/audit-trail-store.ts). */
export const SEAL_PARTITIONS = ['SEAL', 'SEALSEQ', 'SEALPAGE#*'];

/**
 * What makes the audit trail tamper-evident in AWS, as CloudTrail's digest files do:
 * - a KMS `ECC_NIST_P256` `SIGN_VERIFY` key whose `kms:Sign` only the sealer's role may call (the
 *   key policy denies it to every other principal, administrators included);
 * - a bucket with Object Lock in compliance mode for the audit retention, where every seal is also
 *   written: nobody can delete or overwrite a seal before it expires, so a deleted tail shows;
 * - the sealer on a one-minute schedule, one run at a time.
 */
export class AuditSeals extends Construct {
  readonly signingKey: Key;
  readonly bucket: Bucket;

  constructor(
    scope: Construct,
    id: string,
    props: { sealerRole: IRole; sealer: LambdaFn; cmk: IKey; retentionDays: number; removalPolicy: RemovalPolicy; stage: string },
  ) {
    super(scope, id);
    const account = new AccountRootPrincipal();
    this.signingKey = new Key(this, 'SigningKey', {
      description: `Sealtext ${props.stage}: signs audit seals (only the sealer may sign)`,
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AdministerAndReadPublicKeyThroughIam',
            principals: [account],
            actions: [
              'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*',
              'kms:GetKeyPolicy', 'kms:GetPublicKey', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
            ],
            resources: ['*'],
          }),
          new PolicyStatement({ sid: 'OnlyTheSealerSigns', principals: [new ArnPrincipal(props.sealerRole.roleArn)], actions: ['kms:Sign'], resources: ['*'] }),
          new PolicyStatement({
            sid: 'NobodyElseSigns',
            effect: Effect.DENY,
            principals: [new AnyPrincipal()],
            actions: ['kms:Sign'],
            resources: ['*'],
            conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.sealerRole.roleArn } },
          }),
        ],
      }),
    });

    // Locked objects can't be deleted anyway; the bucket outlives the stack.
    this.bucket = new Bucket(this, 'Seals', lockedBucketProps(props.cmk, props.retentionDays));
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Seal objects are written once by the sealer and locked in compliance mode; who reads them is in CloudTrail (enable S3 data events), an access-log bucket would add nothing to their integrity.',
    });

    props.sealer.addEnvironment('AUDIT_SIGNING_KEY_ARN', this.signingKey.keyArn);
    props.sealer.addEnvironment('SEAL_BUCKET', this.bucket.bucketName);
    props.sealer.addToRolePolicy(new PolicyStatement({ sid: 'SignSeals', actions: ['kms:Sign'], resources: [this.signingKey.keyArn] }));
    props.sealer.addToRolePolicy(new PolicyStatement({
      sid: 'ArchiveSeals',
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: [this.bucket.arnForObjects('seals/*')],
    }));
    Validations.of(props.sealerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never)}.Arn>/seals/*]`,
      reason: 'The sealer writes one object per seal under seals/ (named by its sequence number); the bucket holds nothing else.',
    });
    props.sealer.addToRolePolicy(new PolicyStatement({
      sid: 'SealBucketEncryption',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.cmk.keyArn],
      conditions: { StringLike: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    }));
    new Rule(this, 'EveryMinute', {
      description: 'Seals new audit events (CloudTrail-style digests), at most 60 s apart while there is traffic',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(props.sealer, { retryAttempts: 2 })],
    });
  }

  /** The audit readers: the public key, and (verify) the archive's list of seals. */
  grantRead(fn: LambdaFn, options: { listSeals: boolean }): void {
    fn.addEnvironment('AUDIT_SIGNING_KEY_ARN', this.signingKey.keyArn);
    fn.addToRolePolicy(new PolicyStatement({ sid: 'SealPublicKey', actions: ['kms:GetPublicKey'], resources: [this.signingKey.keyArn] }));
    if (options.listSeals) {
      fn.addEnvironment('SEAL_BUCKET', this.bucket.bucketName);
      fn.addToRolePolicy(new PolicyStatement({ sid: 'ListArchivedSeals', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': 'seals/*' } } }));
    }
  }
}
