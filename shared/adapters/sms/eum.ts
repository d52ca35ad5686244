import { ConflictException, SendTextMessageCommand, ValidationException, type PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SmsRejected, type Sms, type SmsSender } from '../../sms/sender.ts';
import { EUM_CONTEXT_REF } from '../../delivery/provider-receipts.ts';

/**
 * SMS through AWS End User Messaging SMS (`smsProvider: eum`): registered origination identities,
 * per-message configuration sets whose delivery events reach EventBridge, and an optional Protect
 * configuration that blocks destinations and AIT before the carrier. docs/delivery.md says when to
 * choose it over SNS.
 */
export type EumOptions = { configurationSet: string; originationIdentity?: string; protectConfigurationId?: string };

export class EumSender implements SmsSender {
  /** The record reference rides in the message's Context and comes back in every event of it. */
  readonly echoesRef = true;
  constructor(private readonly client: PinpointSMSVoiceV2Client, private readonly options: EumOptions) {}

  async send(sms: Sms): Promise<{ messageId: string }> {
    try {
      const out = await this.client.send(new SendTextMessageCommand({
        DestinationPhoneNumber: sms.to,
        MessageBody: sms.text,
        MessageType: 'TRANSACTIONAL',
        ConfigurationSetName: this.options.configurationSet,
        ...(sms.ref ? { Context: { [EUM_CONTEXT_REF]: sms.ref } } : {}),
        ...(this.options.originationIdentity ? { OriginationIdentity: this.options.originationIdentity } : {}),
        ...(this.options.protectConfigurationId ? { ProtectConfigurationId: this.options.protectConfigurationId } : {}),
      }));
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      if (error instanceof ConflictException && error.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') throw new SmsRejected('opted_out');
      if (error instanceof ValidationException) throw new SmsRejected(error.Reason?.startsWith('DESTINATION_COUNTRY_BLOCKED') ? 'provider_refused' : 'invalid_destination');
      throw error;
    }
  }
}
