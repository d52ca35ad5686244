import { BadRequestException, MessageRejected, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { ChannelRejected, type EmailSender, type OutgoingEmail } from '../../channels/senders.ts';

/**
 * E-mail through Amazon SES v2 (`SendEmail`, simple content: SES builds the MIME) from the stage's
 * domain identity, through its configuration set, whose events (delivery, bounce, complaint,
 * reject) reach the receipts function through EventBridge. The record reference rides as a message
 * tag (`sealtextRef`; tag values allow letters, digits, `_` and `-` only, so `:` becomes `_`) and
 * comes back in every event of the message.
 */
export type SesOptions = { from: string; configurationSet: string };
const SES_REF_TAG = 'sealtextRef';
const refToTag = (ref: string) => ref.replace(/[^A-Za-z0-9_.-]/g, '_');

export class SesEmail implements EmailSender {
  constructor(private readonly client: SESv2Client, private readonly options: SesOptions) {}

  async send(m: OutgoingEmail): Promise<{ messageId: string }> {
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    try {
      const out = await this.client.send(new SendEmailCommand({
        FromEmailAddress: this.options.from,
        Destination: { ToAddresses: [m.to] },
        Content: {
          Simple: {
            Subject: utf8(m.subject),
            Body: { Text: utf8(m.text), Html: utf8(m.html) },
            ...(m.headers?.length ? { Headers: m.headers.map((h) => ({ Name: h.name, Value: h.value })) } : {}),
          },
        },
        ConfigurationSetName: this.options.configurationSet,
        ...(m.ref ? { EmailTags: [{ Name: SES_REF_TAG, Value: refToTag(m.ref) }] } : {}),
      }));
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      // SES refused this message as written (a suppressed or malformed address): retrying won't help.
      // Throttling, a paused account and service errors pass through to be retried.
      if (error instanceof MessageRejected) throw new ChannelRejected('provider_refused');
      if (error instanceof BadRequestException) throw new ChannelRejected('invalid_destination');
      throw error;
    }
  }
}
