import { InvalidParametersException, SendWhatsAppMessageCommand, ValidationException, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ChannelRejected, type WhatsAppSender } from '../../channels/senders.ts';
import type { WhatsAppTemplateMessage } from '../../channels/whatsapp-message.ts';

/**
 * WhatsApp through AWS End User Messaging Social: the business's WhatsApp Business Account linked to
 * the account, one of its numbers (`phone-number-id-…`) as the sender, the message in Meta's Cloud
 * API shape passed through as bytes. Statuses (sent, delivered, read, failed: "not on WhatsApp" is
 * a failed status) arrive later as `aws.social-messaging` EventBridge events naming the message id,
 * so the id is what receipts match on (no reference rides in the message).
 */
export type SocialMessagingOptions = { originationPhoneNumberId: string; metaApiVersion: string };

export class SocialMessagingWhatsApp implements WhatsAppSender {
  constructor(private readonly client: SocialMessagingClient, private readonly options: SocialMessagingOptions) {}

  async send(m: { message: WhatsAppTemplateMessage }): Promise<{ messageId: string }> {
    try {
      const out = await this.client.send(new SendWhatsAppMessageCommand({
        originationPhoneNumberId: this.options.originationPhoneNumberId,
        metaApiVersion: this.options.metaApiVersion,
        message: new TextEncoder().encode(JSON.stringify(m.message)),
      }));
      return { messageId: out.messageId ?? '' };
    } catch (error) {
      // Meta or AWS refused this message as written (bad number, template not approved): retrying won't help.
      if (error instanceof InvalidParametersException || error instanceof ValidationException) throw new ChannelRejected('provider_refused');
      throw error;
    }
  }
}
