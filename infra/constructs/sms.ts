import { type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { StageSettings } from '../settings.ts';
import { accountCall } from './account-call.ts';
import { logGroupArn, nagLogGroupArn, nagSnsDeliveryLogGroup, snsDeliveryLogGroup } from './log-group-arn.ts';

type SmsProps = { settings: StageSettings; key: IKey; logRetention: RetentionDays; removalPolicy: RemovalPolicy };

/**
 * The account's SMS settings where this stage owns them (`manageAccountSmsSettings`): they are
 * account-wide, so one stage per account and region may own them, and by default none does. On SNS
 * the SMS attributes (Transactional, spend limit, sender id, delivery status logging), on End User
 * Messaging the enforced text spend limit. And the topic two-way SMS delivers inbound texts to.
 */
export class SealtextSms extends Construct {
  readonly inboundTopic: Topic;

  constructor(scope: Construct, id: string, props: SmsProps) {
    super(scope, id);
    if (props.settings.manageAccountSmsSettings) {
      if (props.settings.smsProvider === 'sns') this.ownSnsAttributes(props);
      else this.ownEumSpendLimit(props);
    }

    this.inboundTopic = new Topic(this, 'InboundSms', {
      displayName: `Sealtext ${props.settings.stage} inbound SMS (two-way)`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // End User Messaging SMS publishes two-way texts (STOP, HELP, replies) to this topic, for this
    // account only; a stage with WhatsApp names it as its WhatsApp Business Account's event
    // destination too (docs/channels.md), so inbound WhatsApp messages (STOP among them) reach the same function.
    const publishers = [['EndUserMessagingInbound', 'sms-voice'], ...(props.settings.whatsapp ? [['EndUserMessagingSocialInbound', 'social-messaging']] : [])];
    for (const [sid, service] of publishers) {
      this.inboundTopic.addToResourcePolicy(new PolicyStatement({
        sid,
        principals: [new ServicePrincipal(`${service}.amazonaws.com`)],
        actions: ['sns:Publish'],
        resources: [this.inboundTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
    }
  }

  /** SNS's account SMS attributes, set on every deploy of the owning stage. */
  private ownSnsAttributes(props: SmsProps) {
    const deliveryLogs = logGroupArn(snsDeliveryLogGroup('*'));
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
    const nagArn = nagLogGroupArn(nagSnsDeliveryLogGroup('*'));
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
    accountCall(this, 'SmsAttributes', {
      call: { service: 'SNS', action: 'setSMSAttributes', parameters: { attributes }, physicalResourceId: PhysicalResourceId.of(`sealtext-${props.settings.stage}-sms-attributes`) },
      statements: [
        new PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
        new PolicyStatement({ actions: ['iam:PassRole'], resources: [deliveryStatusRole.roleArn] }),
      ],
      anyResource: 'sns:SetSMSAttributes is an account-level action with no resource type; IAM accepts only "*".',
      logRetention: props.logRetention, removalPolicy: props.removalPolicy,
    });
  }

  /** End User Messaging's enforced text spend limit (within the account's quota), set on every deploy of the owning stage. */
  private ownEumSpendLimit(props: SmsProps) {
    accountCall(this, 'EumSpendLimit', {
      call: {
        service: 'PinpointSMSVoiceV2', action: 'setTextMessageSpendLimitOverride', parameters: { MonthlyLimit: props.settings.smsMonthlySpendLimitUsd },
        physicalResourceId: PhysicalResourceId.of(`sealtext-${props.settings.stage}-eum-spend-limit`),
      },
      statements: [new PolicyStatement({ actions: ['sms-voice:SetTextMessageSpendLimitOverride'], resources: ['*'] })],
      anyResource: 'sms-voice:SetTextMessageSpendLimitOverride is an account-level action with no resource type; IAM accepts only "*".',
      logRetention: props.logRetention, removalPolicy: props.removalPolicy,
    });
  }
}
