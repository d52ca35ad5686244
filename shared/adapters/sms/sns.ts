import { InvalidParameterException, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SmsRejected, type Sms, type SmsSender } from '../../sms/sender.ts';

/** SMS straight to a phone number through SNS (no topic), as a Transactional message. */
export class SnsSender implements SmsSender {
  constructor(private readonly sns: SNSClient, private readonly senderId?: string) {}

  async send(sms: Sms): Promise<{ messageId: string }> {
    try {
      const out = await this.sns.send(
        new PublishCommand({
          PhoneNumber: sms.to,
          Message: sms.text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.senderId
              ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.senderId } }
              : {}),
          },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      if (error instanceof Error && error.name === 'OptedOutException') throw new SmsRejected('opted_out');
      if (error instanceof InvalidParameterException) throw new SmsRejected('invalid_destination');
      throw error;
    }
  }
}
