import { Aws, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { StageSettings } from '../settings.ts';
import { LAMBDA_BASIC_EXECUTION_FINDING } from './keys.ts';

/**
 * SMS through SNS: the account's SMS attributes (Transactional, spend limit, sender id, delivery
 * status logging) set by a custom resource on every deploy, and the topic two-way SMS delivers
 * inbound texts to.
 */
export class SealtextSms extends Construct {
  readonly inboundTopic: Topic;

  constructor(scope: Construct, id: string, props: { settings: StageSettings; key: IKey; logRetention: RetentionDays; removalPolicy: RemovalPolicy }) {
    super(scope, id);
    // Pseudo parameters (not resolved literals) so the ARN, and its cdk-nag finding id, read the same in every region.
    const logGroupPrefix = `sns/${Aws.REGION}/${Aws.ACCOUNT_ID}/DirectPublishToPhoneNumber*`;
    const deliveryLogs = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${logGroupPrefix}`;

    const deliveryStatusRole = new Role(this, 'DeliveryStatusRole', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com'),
      description: 'Lets SNS write SMS delivery status logs',
      inlinePolicies: {
        logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
              resources: [deliveryLogs, `${deliveryLogs}:*`],
            }),
          ],
        }),
      },
    });
    const nagArn = 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:sns/<AWS::Region>/<AWS::AccountId>/DirectPublishToPhoneNumber*';
    for (const resource of [nagArn, `${nagArn}:*`]) {
      Validations.of(deliveryStatusRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'SNS names its SMS delivery log groups itself (DirectPublishToPhoneNumber and .../Failure); the wildcard covers exactly those and their streams.',
      });
    }

    const attributes: Record<string, string> = {
      DefaultSMSType: 'Transactional',
      MonthlySpendLimit: String(props.settings.smsMonthlySpendLimitUsd),
      DeliveryStatusIAMRole: deliveryStatusRole.roleArn,
      DeliveryStatusSuccessSamplingRate: '100',
      ...(props.settings.smsSenderId ? { DefaultSenderID: props.settings.smsSenderId } : {}),
    };
    const call = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: { attributes },
      physicalResourceId: PhysicalResourceId.of(`sealtext-${props.settings.stage}-sms-attributes`),
    };
    const setAttributes = new AwsCustomResource(this, 'SmsAttributes', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'SmsAttributesLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy }),
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
        new PolicyStatement({ actions: ['iam:PassRole'], resources: [deliveryStatusRole.roleArn] }),
      ]),
    });
    Validations.of(setAttributes).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sns:SetSMSAttributes is an account-level action with no resource type; IAM accepts only "*".',
    });

    // The AwsCustomResource singleton function lives at the stack root.
    const singleton = Stack.of(this).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (singleton) {
      Validations.of(singleton).acknowledge({
        id: LAMBDA_BASIC_EXECUTION_FINDING,
        reason: 'CDK\'s AwsCustomResource function (deploy time only) uses AWSLambdaBasicExecutionRole for its own logs.',
      });
    }

    this.inboundTopic = new Topic(this, 'InboundSms', {
      displayName: `Sealtext ${props.settings.stage} inbound SMS (two-way)`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // End User Messaging SMS publishes two-way texts (STOP, HELP, replies) to this topic, for this account only.
    this.inboundTopic.addToResourcePolicy(new PolicyStatement({
      sid: 'EndUserMessagingInbound',
      principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.inboundTopic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
  }
}
