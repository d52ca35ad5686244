import { ConflictException, SendVoiceMessageCommand, ValidationException, type PinpointSMSVoiceV2Client, type VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ChannelRejected, type VoiceSender } from '../../channels/senders.ts';
import type { VoiceScript } from '../../channels/voice-script.ts';
import { EUM_CONTEXT_REF } from '../../delivery/provider-receipts.ts';

/**
 * Voice codes through AWS End User Messaging (`SendVoiceMessage`): SSML read by the locale's Polly
 * voice, from the voice-capable origination identity in the settings, with the stage's
 * configuration set so call states (answered, completed, busy, no answer, failed) reach EventBridge
 * as receipts. The record reference rides in `Context` and comes back in those events, as for SMS.
 */
export type VoiceOptions = { originationIdentity: string; configurationSet: string; maxPricePerMinute?: string };

export class EumVoice implements VoiceSender {
  readonly echoesRef = true;
  constructor(private readonly client: PinpointSMSVoiceV2Client, private readonly options: VoiceOptions) {}

  async send(call: { to: string; script: VoiceScript; ref?: string }): Promise<{ messageId: string }> {
    try {
      const out = await this.client.send(new SendVoiceMessageCommand({
        DestinationPhoneNumber: call.to,
        OriginationIdentity: this.options.originationIdentity,
        MessageBody: call.script.ssml,
        MessageBodyTextType: 'SSML',
        VoiceId: call.script.voiceId as VoiceId,
        ConfigurationSetName: this.options.configurationSet,
        // A code is worth nothing after a few minutes: don't let a queued call ring later.
        TimeToLive: 300,
        ...(this.options.maxPricePerMinute ? { MaxPricePerMinute: this.options.maxPricePerMinute } : {}),
        ...(call.ref ? { Context: { [EUM_CONTEXT_REF]: call.ref } } : {}),
      }));
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      if (error instanceof ConflictException && error.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') throw new ChannelRejected('opted_out');
      if (error instanceof ValidationException) throw new ChannelRejected(error.Reason?.startsWith('DESTINATION_COUNTRY_BLOCKED') ? 'provider_refused' : 'invalid_destination');
      throw error;
    }
  }
}
