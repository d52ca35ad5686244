import { Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, type AwsSdkCall } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { LAMBDA_BASIC_EXECUTION_FINDING } from './keys.ts';

/** The id CDK gives the AwsCustomResource singleton function. */
const SINGLETON_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * One AWS API call made at deploy time (on create and on update, never on delete), for settings
 * CloudFormation has no resource for: the account's SMS settings, a log group another service
 * names. `anyResource` says why the call's IAM needs "*" (an account-level action), for cdk-nag.
 */
export function accountCall(
  scope: Construct,
  id: string,
  props: { call: AwsSdkCall; statements: PolicyStatement[]; anyResource?: string; logRetention: RetentionDays; removalPolicy: RemovalPolicy },
): AwsCustomResource {
  // Every call runs in one function, CDK's singleton at the stack root, whose log group is the one
  // given when it is made: only the first call of the stack makes one (later ones would be unused).
  const stack = Stack.of(scope);
  const first = !stack.node.tryFindChild(SINGLETON_ID);
  const resource = new AwsCustomResource(scope, id, {
    onCreate: props.call,
    onUpdate: props.call,
    installLatestAwsSdk: false,
    ...(first ? { logGroup: new LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: props.removalPolicy }) } : {}),
    policy: AwsCustomResourcePolicy.fromStatements(props.statements),
  });
  if (props.anyResource) Validations.of(resource).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: props.anyResource });
  const singleton = stack.node.tryFindChild(SINGLETON_ID);
  if (first && singleton) {
    Validations.of(singleton).acknowledge({
      id: LAMBDA_BASIC_EXECUTION_FINDING,
      reason: 'CDK\'s AwsCustomResource function (deploy time only) uses AWSLambdaBasicExecutionRole for its own logs.',
    });
  }
  return resource;
}
