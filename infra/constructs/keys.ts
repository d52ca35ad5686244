import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { HMAC_KEY_CONTEXT } from '#shared/adapters/crypto/kms-keyring';
import { SealtextFunction } from './sealtext-function.ts';

/** Encryption context keys every Sealtext KMS call carries (shared/crypto). */
export const APP_CONTEXT = 'kms:EncryptionContext:app';
export const PURPOSE_CONTEXT = 'kms:EncryptionContext:purpose';
/** The cdk-nag finding for CDK-owned helper functions that carry the AWS managed basic execution policy. */
export const LAMBDA_BASIC_EXECUTION_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/**
 * The customer managed key (rotation on) and the HMAC keys it wraps. The key policy says who may do
 * what: the account administers the key through IAM but can't use it for data except (a) Sealtext
 * calls whose encryption context says `app: sealtext`, (b) DynamoDB, SNS and CloudWatch acting for
 * the account; each function's IAM policy then narrows (a) to its own purposes.
 */
export class SealtextKeys extends Construct {
  readonly key: IKey;
  readonly wrappedCodeHashKey: string;
  readonly wrappedBlindIndexKey: string;

  constructor(scope: Construct, id: string, props: { stage: string; removalPolicy: RemovalPolicy; logRetention: RetentionDays; functionLogs: LogGroup; adoptKeyArn?: string; whatsapp?: boolean }) {
    super(scope, id);
    const stack = Stack.of(this);
    const account = new AccountRootPrincipal();
    const sameAccount = { StringEquals: { 'kms:CallerAccount': stack.account } };

    // A redeploy after a destroy adopts the key the first stack kept (stage setting keyArn): its
    // tables, archives and HMAC keys are readable under it only (docs/operations.md).
    this.key = props.adoptKeyArn ? Key.fromKeyArn(this, 'Cmk', props.adoptKeyArn) : new Key(this, 'Cmk', {
      description: `Sealtext ${props.stage}: envelope encryption of contents and numbers, HMAC key wrapping, table SSE`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AdministerThroughIam',
            principals: [account],
            actions: [
              'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*',
              'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource',
              'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand',
            ],
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'SealtextEnvelopesWithAppContext',
            principals: [account],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'],
            resources: ['*'],
            conditions: { StringEquals: { [APP_CONTEXT]: 'sealtext' } },
          }),
          new PolicyStatement({
            sid: 'TablesAndTopicsThroughTheirServices',
            principals: [account],
            actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'],
            resources: ['*'],
            conditions: {
              ...sameAccount,
              // S3: the audit seal archive's SSE-KMS.
              StringLike: { 'kms:ViaService': [`dynamodb.${stack.region}.amazonaws.com`, `sns.${stack.region}.amazonaws.com`, `s3.${stack.region}.amazonaws.com`] },
            },
          }),
          new PolicyStatement({
            sid: 'EncryptedTopicsForAlarmsAndSns',
            effect: Effect.ALLOW,
            // CloudWatch (alarm actions), SNS itself, and End User Messaging SMS (two-way SMS) publishing to our
            // topics; End User Messaging Social too where the stage links a WhatsApp number (its inbound messages).
            principals: [
              new ServicePrincipal('cloudwatch.amazonaws.com'), new ServicePrincipal('sns.amazonaws.com'), new ServicePrincipal('sms-voice.amazonaws.com'),
              ...(props.whatsapp ? [new ServicePrincipal('social-messaging.amazonaws.com')] : []),
            ],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
          }),
        ],
      }),
    });
    new Alias(this, 'Alias', { aliasName: `alias/sealtext-${props.stage}`, targetKey: this.key });

    // Deploy-time generation of the wrapped HMAC keys (functions/create-hmac-keys.ts).
    const generator = new SealtextFunction(this, 'HmacKeyGenerator', {
      name: 'create-hmac-keys',
      stage: props.stage,
      environment: {},
      logGroup: props.functionLogs,
      timeout: Duration.seconds(30),
    });
    generator.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKeyWithoutPlaintext'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { [APP_CONTEXT]: 'sealtext', [PURPOSE_CONTEXT]: [HMAC_KEY_CONTEXT.codeHash.purpose, HMAC_KEY_CONTEXT.blindIndex.purpose] },
        },
      }),
    );
    const provider = new Provider(this, 'HmacKeyProvider', {
      onEventHandler: generator.fn,
      logGroup: new LogGroup(this, 'ProviderLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy }),
    });
    Validations.of(provider).acknowledge(
      { id: LAMBDA_BASIC_EXECUTION_FINDING, reason: 'The CDK custom-resource framework function uses AWSLambdaBasicExecutionRole for its own logs only.' },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(generator.fn.node.defaultChild as never)}.Arn>:*]`,
        reason: 'The CDK custom-resource framework may invoke any version of the generator function (function:name:*).',
      },
    );
    // The wrapped keys live in a parameter the generator writes once and keeps (functions/create-hmac-keys.ts).
    const parameterName = `/sealtext/${props.stage}/hmac-keys`;
    const parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameterName.slice(1) });
    generator.fn.addToRolePolicy(new PolicyStatement({
      actions: ['ssm:GetParameter', 'ssm:PutParameter', ...(props.removalPolicy === RemovalPolicy.DESTROY ? ['ssm:DeleteParameter'] : [])],
      resources: [parameterArn],
    }));
    const hmacKeys = new CustomResource(this, 'HmacKeys', {
      serviceToken: provider.serviceToken,
      properties: { KeyArn: this.key.keyArn, Version: '1', ParameterName: parameterName, Retain: String(props.removalPolicy !== RemovalPolicy.DESTROY) },
    });
    this.wrappedCodeHashKey = hmacKeys.getAttString('codeHashKey');
    this.wrappedBlindIndexKey = hmacKeys.getAttString('blindIndexKey');
  }
}
