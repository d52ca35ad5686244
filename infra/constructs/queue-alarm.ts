import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An alarm on a queue where failures park (a dead-letter or on-failure queue): any message in it
 * for five minutes alarms, and ops hear when it empties again. `description` says what it means and
 * what to do.
 */
export function parkedMessagesAlarm(scope: Construct, p: { stage: string; id: string; queue: IQueue; description: string; topic: ITopic }) {
  const action = new SnsAction(p.topic);
  const alarm = new Alarm(scope, `${p.id}Alarm`, {
    alarmName: `sealtext-${p.stage}-${p.id}`,
    alarmDescription: p.description,
    metric: p.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}
