import {
  ConflictException, SendNotifyTextMessageCommand, SendNotifyVoiceMessageCommand, ValidationException, type PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ChannelRejected, type ManagedCodeSender } from '../../channels/senders.ts';
import { EUM_CONTEXT_REF } from '../../delivery/provider-receipts.ts';

/**
 * Codes through AWS End User Messaging Notify (`smsProvider: notify`): AWS-managed origination
 * identities and pre-approved verification templates, for a business that has not registered its
 * own. The code is the template's one variable; a template per locale may be named, else the
 * configuration's default. Events come through the stage's configuration set with the record
 * reference in `Context`, as for End User Messaging SMS. A call reads the digits one by one
 * (separated, so text-to-speech does not read a number).
 */
export type NotifyOptions = {
  configurationId: string;
  configurationSet: string;
  voice: boolean;
  templateIds?: Partial<Record<'en' | 'de', string>>;
};

export class NotifyCodes implements ManagedCodeSender {
  readonly echoesRef = true as const;
  readonly channels: ReadonlySet<'sms' | 'voice'>;
  constructor(private readonly client: PinpointSMSVoiceV2Client, private readonly options: NotifyOptions) {
    this.channels = new Set(options.voice ? ['sms', 'voice'] : ['sms']);
  }

  async send(m: Parameters<ManagedCodeSender['send']>[0]): Promise<{ messageId: string }> {
    const templateId = this.options.templateIds?.[m.locale];
    const common = {
      NotifyConfigurationId: this.options.configurationId,
      DestinationPhoneNumber: m.to,
      ...(templateId ? { TemplateId: templateId } : {}),
      // A code is worthless after its verification expires.
      TimeToLive: m.ttlSeconds,
      ConfigurationSetName: this.options.configurationSet,
      ...(m.ref ? { Context: { [EUM_CONTEXT_REF]: m.ref } } : {}),
    };
    try {
      const out = m.channel === 'voice'
        ? await this.client.send(new SendNotifyVoiceMessageCommand({ ...common, TemplateVariables: { code: [...m.code].join('. ') } }))
        : await this.client.send(new SendNotifyTextMessageCommand({ ...common, TemplateVariables: { code: m.code } }));
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      if (error instanceof ConflictException && error.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') throw new ChannelRejected('opted_out');
      if (error instanceof ValidationException) throw new ChannelRejected(error.Reason?.startsWith('DESTINATION_COUNTRY_BLOCKED') ? 'provider_refused' : 'invalid_destination');
      throw error;
    }
  }
}
