import { Aws, Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailIdentity, EmailSendingEvent, EventDestination, Identity, SuppressionReasons, type DkimRecord } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { StageSettings } from '../settings.ts';

/**
 * E-mail (API 1.2): the stage's SES domain identity with Easy DKIM (its three CNAME records are
 * stack outputs, for the domain's DNS), a configuration set that requires TLS and keeps SES's
 * account suppression for bounces and complaints, and its events (delivery, bounce, complaint,
 * reject) on the default bus, where a rule hands this configuration set's to the receipts function.
 * The senders may call `ses:SendEmail` on this identity and configuration set only.
 */
export class SealtextEmail extends Construct {
  readonly configurationSetName: string;
  readonly dkimRecords: DkimRecord[];
  private readonly identityName: string;

  constructor(scope: Construct, id: string, props: { settings: StageSettings & { email: NonNullable<StageSettings['email']> }; receipts: IFunction }) {
    super(scope, id);
    const { settings } = props;
    this.configurationSetName = `sealtext-${settings.stage}-mail`;
    const set = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: this.configurationSetName,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // SES puts events on the account's default bus only.
    set.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });
    this.identityName = settings.email.domain;
    const identity = new EmailIdentity(this, 'Identity', { identity: Identity.domain(settings.email.domain), configurationSet: set });
    this.dkimRecords = identity.dkimRecords;
    new Rule(this, 'EmailReceipts', {
      description: 'SES events of this stage\'s configuration set -> the receipts function',
      eventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSetName] } } } },
      targets: [new LambdaFunction(props.receipts, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
  }

  /** `ses:SendEmail` on the identity and the configuration set, nothing else. */
  grantSend(fn: IFunction) {
    const arn = (type: string, name: string) => `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}/${name}`;
    fn.addToRolePolicy(new PolicyStatement({
      sid: 'SesSendCodes',
      actions: ['ses:SendEmail'],
      resources: [arn('identity', this.identityName), arn('configuration-set', this.configurationSetName)],
    }));
  }
}
