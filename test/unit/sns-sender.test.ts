import { InvalidParameterException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SmsRejected } from '#shared/sms/sender';
import { SnsSender } from '#shared/adapters/sms/sns';

const sns = mockClient(SNSClient);

describe('SNS adapter contract', () => {
  beforeEach(() => sns.reset());

  it('publishes straight to the phone number as a Transactional SMS with the sender id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const out = await new SnsSender(new SNSClient({ region: 'eu-west-1' }), 'ACMEBANK').send({ to: '+447400123456', text: 'hello' });
    expect(out.messageId).toBe('m-1');
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      PhoneNumber: '+447400123456',
      Message: 'hello',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ACMEBANK' },
      },
    });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.TopicArn).toBeUndefined();
  });

  it("maps SNS's OptedOutException to SmsRejected('opted_out')", async () => {
    const optedOut = Object.assign(new Error('Phone number is opted out'), { name: 'OptedOutException' });
    sns.on(PublishCommand).rejects(optedOut);
    await expect(new SnsSender(new SNSClient({ region: 'eu-west-1' })).send({ to: '+447400123456', text: 'x' })).rejects.toMatchObject({ reason: 'opted_out' });
  });

  it('maps a refused destination to SmsRejected', async () => {
    sns.on(PublishCommand).rejects(new InvalidParameterException({ message: 'Invalid parameter: PhoneNumber', $metadata: {} }));
    await expect(new SnsSender(new SNSClient({ region: 'eu-west-1' })).send({ to: '+447400123456', text: 'x' })).rejects.toBeInstanceOf(SmsRejected);
  });
});
