import { Aws } from 'aws-cdk-lib';

/**
 * Log group ARNs for IAM, built from pseudo parameters rather than resolved literals, so the ARN (and
 * the cdk-nag finding id that quotes it, `nagLogGroupArn`) reads the same in every region and account.
 */
export const logGroupArn = (name: string) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}`;
export const nagLogGroupArn = (name: string) => `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${name}`;

/** SNS's SMS delivery status log group (`suffix` '' or '/Failure'; '*' for both), one per account and region, named by SNS. */
export const snsDeliveryLogGroup = (suffix: string) => `sns/${Aws.REGION}/${Aws.ACCOUNT_ID}/DirectPublishToPhoneNumber${suffix}`;
export const nagSnsDeliveryLogGroup = (suffix: string) => `sns/<AWS::Region>/<AWS::AccountId>/DirectPublishToPhoneNumber${suffix}`;
