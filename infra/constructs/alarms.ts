import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm, AnomalyDetectionAlarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TextWidget, TreatMissingData, type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { DEFAULT_FRAUD_THRESHOLDS, fraudRules, PUMPING_RULE_ID, type MetricRef } from '#shared/fraud/alarm-rules';
import { SIGNAL } from '#shared/fraud/signals';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageSettings } from '../settings.ts';

type AlarmSpec = {
  id: string;
  metric: IMetric;
  threshold: number;
  comparison?: ComparisonOperator;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  /** What it means and what to do: shown in the alarm and the notification. */
  description: string;
};

/**
 * The ops topic every alarm notifies (e-mail optional). It lives in the main stack, apart from the
 * alarms: its ARN and its confirmed subscriptions outlast any rearrangement of the alarms.
 */
export function opsTopic(scope: Construct, settings: StageSettings, key: IKey): ITopic {
  // Scope "Alarms" keeps the topic's logical id (AlarmsOps...) from the release that made it there.
  const holder = new Construct(scope, 'Alarms');
  const topic = new Topic(holder, 'Ops', { displayName: `Sealtext ${settings.stage} alarms`, masterKey: key, enforceSSL: true });
  if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
  return topic;
}

/**
 * The base alarm set and a dashboard; every alarm notifies the ops topic (e-mail optional).
 * The anomaly detectors for fraud patterns build on this (docs/alarms.md).
 */
export class SealtextAlarms extends Construct {
  readonly opsTopic: ITopic;
  readonly alarms: Alarm[] = [];
  readonly pumpingAlarmName: string;

  constructor(
    scope: Construct,
    id: string,
    props: { settings: StageSettings; opsTopic: ITopic; api: RestApi; functions: Record<string, IFunction>; tables: ITable[] },
  ) {
    super(scope, id);
    const { settings } = props;
    const stage = settings.stage;
    this.opsTopic = props.opsTopic;

    const five = Duration.minutes(5);
    const fifteen = Duration.minutes(15);
    const apiName = `sealtext-${stage}`;
    const apiMetric = (metricName: string) =>
      new Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiName: apiName, Stage: stage }, statistic: 'Average', period: five });

    // Our own metrics carry the stage (shared/adapters/observability/powertools.ts): alarms read this stage's only.
    const own = (metricName: string, period = five, dimensions: Record<string, string> = {}) =>
      new Metric({ namespace: 'Sealtext', metricName, dimensionsMap: { service: 'sealtext', stage, ...dimensions }, statistic: 'Sum', period });

    const specs: AlarmSpec[] = [
      {
        id: 'Api5xxRate',
        metric: apiMetric('5XXError'),
        threshold: 0.01,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: 'More than 1% of API requests fail with 5xx. Check the functions\' error logs (errorName, frames) and recent deploys; roll back if a deploy caused it.',
      },
      {
        id: 'Api4xxRate',
        metric: apiMetric('4XXError'),
        threshold: 0.25,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        description: 'More than 25% of API requests are refused (4xx) for 15 minutes. A caller may be misconfigured (401/403) or probing (404/422); check access logs by IP and the Refused_* metrics.',
      },
      {
        id: 'SmsFailures',
        // This stage's own counts (send-time refusals by the provider, and receipts saying undelivered),
        // not the account-wide AWS/SNS figures every stage in the account shares.
        metric: new MathExpression({
          expression: 'rejected + undelivered',
          usingMetrics: { rejected: own(SIGNAL.smsFailed), undelivered: own('Receipt_undelivered') },
          period: five,
        }),
        threshold: 10,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description: settings.smsProvider === 'sns'
          ? 'Ten or more of this stage\'s SMS failed in 5 minutes. Check the SNS delivery status logs (sns/<region>/<account>/DirectPublishToPhoneNumber/Failure) for the carrier reason; spend limit reached and sandbox destinations are the usual causes.'
          : 'Ten or more of this stage\'s SMS failed in 5 minutes. Check the End User Messaging events (the receipts function\'s log counts) for the carrier reason; spend limit, Protect blocks and unregistered origination identities are the usual causes.',
      },
    ];
    // Per channel (API 1.2): the share of codes that failed, refused at send or undelivered by their
    // receipt, over 15 minutes with enough volume to mean something. Each channel fails for its own
    // reasons, so each has its own bar: a call goes unanswered more often than an SMS goes undelivered,
    // and in a WhatsApp-first workflow many numbers are simply not on WhatsApp (the step falls back).
    const channelFailures = (channel: string) => new MathExpression({
      // Ids named for the channel: a graph holds every channel's expression, and ids are unique per graph.
      expression: `IF(sent_${channel} >= 20, (refused_${channel} + undelivered_${channel}) / sent_${channel}, 0)`,
      usingMetrics: {
        [`sent_${channel}`]: own(SIGNAL.sentByChannel, fifteen, { channel }),
        [`refused_${channel}`]: own(SIGNAL.refusedByChannel, fifteen, { channel }),
        [`undelivered_${channel}`]: own(`Receipt_undelivered_${channel}`, fifteen),
      },
      period: fifteen,
      label: `${channel} failed / sent`,
    });
    for (const [channel, bar, why] of configuredChannels(settings)) {
      specs.push({
        id: `ChannelFailures-${channel}`,
        metric: channelFailures(channel),
        threshold: bar,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description: `${Math.round(bar * 100)}% or more of this stage's ${channel} codes failed in 15 minutes (at least 20 sent). ${why}`,
      });
    }
    // E-mail: SES puts an account under review at a 5 % bounce or a 0.1 % complaint rate (and may
    // pause it at 10 % / 0.5 %). Alarm at half, while there is time to find the cause.
    if (settings.email) {
      const ses = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
      specs.push(
        {
          id: 'EmailBounceRate', metric: ses('Reputation.BounceRate'), threshold: 0.025, comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: 'The account\'s SES bounce rate reached 2.5 % (SES reviews the account at 5 %). Look for addresses collected without confirmation or a list sent to by mistake; hard-bounced addresses are suppressed by SES already.',
        },
        {
          id: 'EmailComplaintRate', metric: ses('Reputation.ComplaintRate'), threshold: 0.0005, comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: 'The account\'s SES complaint rate reached 0.05 % (SES reviews the account at 0.1 %). People marked our mail as spam: check who asked for the codes (a flood at one domain?) and the e-mail windows.',
        },
      );
    }
    // The spend limit is the account's: only the stage that owns it (manageAccountSmsSettings) watches it.
    if (settings.manageAccountSmsSettings) {
      const sns = settings.smsProvider === 'sns';
      specs.push({
        id: 'SmsSpendNearLimit',
        metric: sns
          ? new Metric({ namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD', statistic: 'Maximum', period: five })
          : new Metric({ namespace: 'AWS/SMSVoice', metricName: 'TextMessageMonthlySpend', statistic: 'Maximum', period: five }),
        threshold: settings.smsMonthlySpendLimitUsd * 0.8,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description: `SMS spend in this account and region this month reached 80% of the ${settings.smsMonthlySpendLimitUsd} USD limit; at 100% ${sns ? 'SNS' : 'End User Messaging'} stops sending (codes included). Check for pumping (issue volume by country), then raise smsMonthlySpendLimitUsd in the stage file (and the account quota) if the traffic is real.`,
      });
    }
    // Errors and throttles of every function, folded ten to an alarm with metric math (an alarm may
    // read ten metrics): the dashboard shows which function; the description names the ten.
    const names = Object.keys(props.functions);
    for (let g = 0; g * 10 < names.length; g++) {
      const group = names.slice(g * 10, g * 10 + 10);
      const of = (metric: (f: IFunction) => IMetric) => Object.fromEntries(group.map((n, i) => [`f${i}`, metric(props.functions[n]!)]));
      const sum = group.map((_, i) => `f${i}`).join(' + ');
      specs.push(
        {
          id: `FunctionErrors${g + 1}`,
          metric: new MathExpression({ expression: sum, usingMetrics: of((f) => f.metricErrors({ period: five, statistic: 'Sum' })), period: five }),
          threshold: 1,
          comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: `Unhandled errors in one of: ${group.join(', ')}. The dashboard's "Function errors" says which; its log group has errorName and frames; internal errors answer 500 to callers.`,
        },
        {
          id: `FunctionThrottles${g + 1}`,
          metric: new MathExpression({ expression: sum, usingMetrics: of((f) => f.metricThrottles({ period: five, statistic: 'Sum' })), period: five }),
          threshold: 1,
          comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: `Throttled: ${group.join(', ')}. Reserved or account concurrency is exhausted (docs/operations.md "Concurrency"). For the SMS senders this is the runaway-spend cap working; check for abuse before raising smsFunctionConcurrency.`,
        },
      );
    }
    props.tables.forEach((table, i) => {
      specs.push({
        id: `TableThrottles-${i}`,
        metric: new MathExpression({
          expression: 'r + w',
          usingMetrics: {
            r: table.metric('ReadThrottleEvents', { statistic: 'Sum', period: five }),
            w: table.metric('WriteThrottleEvents', { statistic: 'Sum', period: five }),
          },
          period: five,
        }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description: 'DynamoDB throttled reads or writes (on-demand tables throttle on sudden 2x peaks or hot keys). Look for a hot rate-limit counter (an attack on one number or prefix).',
      });
    });

    // The fraud rules, as the simulator evaluates them (shared/fraud/alarm-rules.ts).
    const fraudMetric = (m: MetricRef, period: Duration) =>
      own(m.name, period, m.dimensions);
    this.pumpingAlarmName = `sealtext-${stage}-${PUMPING_RULE_ID}`;
    const action = new SnsAction(this.opsTopic);
    for (const rule of fraudRules({ ...DEFAULT_FRAUD_THRESHOLDS, ...settings.fraudThresholds })) {
      const period = Duration.seconds(rule.periodSeconds);
      const common = { alarmName: `sealtext-${stage}-${rule.id}`, alarmDescription: rule.description, evaluationPeriods: 1, treatMissingData: TreatMissingData.NOT_BREACHING };
      let alarm: Alarm;
      switch (rule.kind) {
        case 'threshold':
          alarm = new Alarm(this, rule.id, { ...common, metric: fraudMetric(rule.metric, period), threshold: rule.threshold, comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD });
          break;
        case 'ratio':
          // Below the ratio with at least the minimum volume; otherwise 1 (not breaching).
          alarm = new Alarm(this, rule.id, {
            ...common,
            metric: new MathExpression({
              expression: `IF(sent >= ${rule.minDenominator}, approved / sent, 1)`,
              usingMetrics: { approved: fraudMetric(rule.numerator, period), sent: fraudMetric(rule.denominator, period) },
              period,
              label: 'approved / sent',
            }),
            threshold: rule.below,
            comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          });
          break;
        case 'anomaly':
          alarm = new AnomalyDetectionAlarm(this, rule.id, {
            ...common,
            evaluationPeriods: 2,
            metric: fraudMetric(rule.metric, period),
            stdDevs: rule.bandWidth,
            comparisonOperator: ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
          });
          break;
      }
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    }

    for (const spec of specs) {
      const alarm = new Alarm(this, spec.id, {
        alarmName: `sealtext-${stage}-${spec.id}`,
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods ?? 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    }

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `sealtext-${stage}-${Stack.of(this).region}` });
    dashboard.addWidgets(
      new TextWidget({ markdown: `# Sealtext ${stage}\nAlarms notify the ops topic; docs/deploy.md explains each.`, width: 24, height: 2 }),
      new GraphWidget({ title: 'API error rates', left: [apiMetric('4XXError'), apiMetric('5XXError')], width: 12 }),
      new GraphWidget({
        title: 'OTP flow',
        left: [SIGNAL.issued, SIGNAL.sent, SIGNAL.approved, SIGNAL.failedVerify, SIGNAL.rateLimited, SIGNAL.locked].map(
          (m) => own(m),
        ),
        width: 12,
      }),
      new GraphWidget({ title: 'Function errors', left: Object.values(props.functions).map((f) => f.metricErrors({ period: five })), width: 12 }),
      new GraphWidget({ title: 'SMS failed (send and receipts)', left: [own(SIGNAL.smsFailed), own('Receipt_undelivered')], width: 12 }),
      new GraphWidget({
        title: 'Codes by channel: sent, and failed / sent',
        left: configuredChannels(settings).map(([channel]) => own(SIGNAL.sentByChannel, five, { channel }).with({ label: `${channel} sent` })),
        right: configuredChannels(settings).map(([channel]) => channelFailures(channel)),
        width: 12,
      }),
      new GraphWidget({
        title: 'Delivered / sent by channel (receipts)',
        left: configuredChannels(settings).map(([channel]) => new MathExpression({
          expression: `IF(sent_${channel} > 0, 1 - undelivered_${channel} / sent_${channel}, 1)`,
          usingMetrics: { [`sent_${channel}`]: own(SIGNAL.sentByChannel, fifteen, { channel }), [`undelivered_${channel}`]: own(`Receipt_undelivered_${channel}`, fifteen) },
          period: fifteen,
          label: `${channel} reached`,
        })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Conversion by channel: approved on it / sent on it',
        left: configuredChannels(settings).map(([channel]) => new MathExpression({
          expression: `IF(sent_${channel} > 0, approved_${channel} / sent_${channel}, 0)`,
          usingMetrics: { [`sent_${channel}`]: own(SIGNAL.sentByChannel, fifteen, { channel }), [`approved_${channel}`]: own(SIGNAL.approvedByChannel, fifteen, { channel }) },
          period: fifteen,
          label: `${channel} converted`,
        })),
        width: 12,
      }),
    );
  }
}

/** The code channels a stage configures, with the failure share that alarms and what usually causes it. */
function configuredChannels(settings: StageSettings): [channel: string, bar: number, why: string][] {
  return [
    ['sms', 0.1, 'Check the SMS failures alarm\'s sources: spend limit, sandbox destinations, carrier blocks, unregistered origination identities.'],
    ...(settings.voiceOriginationIdentity ? [['voice', 0.4, 'Busy and unanswered calls are normal in small numbers; a jump means the voice identity is blocked or the destination country refuses calls: check the call events.'] as [string, number, string]] : []),
    ...(settings.email ? [['email', 0.1, 'Bounced and rejected mail: addresses mistyped or made up; see the bounce-rate alarm and the SES events.'] as [string, number, string]] : []),
    ...(settings.whatsapp ? [['whatsapp', 0.6, 'Numbers not on WhatsApp fail at once and fall back; a jump beyond that means the authentication template is not approved, the number lost its quality rating or Meta\'s limit tier is reached (End User Messaging Social console).'] as [string, number, string]] : []),
  ];
}