import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { pick, stageOutputs } from '../../infra/scripts/stage-outputs.ts';

/** The ops scripts (`npm run brake`, `npm run audit:verify`) find a stage's tables, keys and buckets from its stack outputs. */
const cf = mockClient(CloudFormationClient);

describe('a stage\'s outputs', () => {
  beforeEach(() => cf.reset());

  it('reads Sealtext-<stage> and hands the outputs by name', async () => {
    cf.on(DescribeStacksCommand, { StackName: 'Sealtext-prod' }).resolves({ Stacks: [{ StackName: 'Sealtext-prod', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [
      { OutputKey: 'DataTable', OutputValue: 'Sealtext-prod-Data-1' }, { OutputKey: 'AuditTable', OutputValue: 'Sealtext-prod-Audit-1' },
    ] }] });
    const outputs = await stageOutputs('prod', new CloudFormationClient({ region: 'eu-west-2' }));
    expect(pick(outputs, 'DataTable', 'AuditTable')).toEqual({ DataTable: 'Sealtext-prod-Data-1', AuditTable: 'Sealtext-prod-Audit-1' });
    expect(() => pick(outputs, 'SealBucket')).toThrow(/no output SealBucket: deploy this release first/);
  });

  it('says what to check when the stack is not there', async () => {
    cf.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', message: 'Stack with id Sealtext-prod does not exist', $metadata: {} }));
    await expect(stageOutputs('prod', new CloudFormationClient({ region: 'eu-west-2' }))).rejects.toThrow(/Could not read the stack Sealtext-prod .*is it deployed, in this region and account/);
  });
});
