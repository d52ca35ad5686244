import { ConflictException, PinpointSMSVoiceV2Client, SendNotifyTextMessageCommand, SendNotifyVoiceMessageCommand, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyCodes } from '#shared/adapters/sms/notify';
import type { ManagedCodeSender } from '#shared/channels/senders';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';

/** End User Messaging Notify (`smsProvider: notify`): the exact commands, and codes routed through it. */
describe('Notify sender (aws-sdk-client-mock contract)', () => {
  const eum = mockClient(PinpointSMSVoiceV2Client);
  afterEach(() => eum.reset());
  const notify = (voice = true) => new NotifyCodes(new PinpointSMSVoiceV2Client({ region: 'eu-west-1' }), { configurationId: 'nc-123', configurationSet: 'sealtext-prod', voice, templateIds: { de: 'notify-code-verification-german-001' } });

  it('sends the code as the template\'s one variable, through the configuration set, with the record reference and the code\'s lifetime', async () => {
    eum.on(SendNotifyTextMessageCommand).resolves({ MessageId: 'm-1' });
    expect(await notify().send({ to: '+447400123456', code: '482910', channel: 'sms', locale: 'en', ttlSeconds: 300, ref: 'otp:v1:1' })).toEqual({ messageId: 'm-1' });
    expect(eum.commandCalls(SendNotifyTextMessageCommand)[0]!.args[0].input).toEqual({
      NotifyConfigurationId: 'nc-123', DestinationPhoneNumber: '+447400123456', TemplateVariables: { code: '482910' },
      TimeToLive: 300, ConfigurationSetName: 'sealtext-prod', Context: { sealtextRef: 'otp:v1:1' },
    });
  });

  it('calls with the digits apart (read one by one) in the locale\'s template, where the configuration has voice', async () => {
    eum.on(SendNotifyVoiceMessageCommand).resolves({ MessageId: 'c-1' });
    await notify().send({ to: '+4915112345678', code: '4829', channel: 'voice', locale: 'de', ttlSeconds: 600 });
    expect(eum.commandCalls(SendNotifyVoiceMessageCommand)[0]!.args[0].input).toEqual({
      NotifyConfigurationId: 'nc-123', DestinationPhoneNumber: '+4915112345678', TemplateId: 'notify-code-verification-german-001',
      TemplateVariables: { code: '4. 8. 2. 9' }, TimeToLive: 600, ConfigurationSetName: 'sealtext-prod',
    });
    expect([...notify(false).channels]).toEqual(['sms']);
  });

  it('maps an opted-out or invalid destination to ChannelRejected; anything else is retried', async () => {
    eum.on(SendNotifyTextMessageCommand).rejects(new ConflictException({ message: 'opted out', $metadata: {}, Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opt-out-list', ResourceId: 'x' }));
    await expect(notify().send({ to: '+447400123456', code: '1234', channel: 'sms', locale: 'en', ttlSeconds: 60 })).rejects.toMatchObject({ reason: 'opted_out' });
    eum.reset();
    eum.on(SendNotifyTextMessageCommand).rejects(new ValidationException({ message: 'bad', $metadata: {}, Reason: 'INVALID_PARAMETER' }));
    await expect(notify().send({ to: '+447400123456', code: '1234', channel: 'sms', locale: 'en', ttlSeconds: 60 })).rejects.toMatchObject({ reason: 'invalid_destination' });
  });
});

class RecordingManaged implements ManagedCodeSender {
  readonly echoesRef = true as const;
  readonly channels = new Set<'sms' | 'voice'>(['sms', 'voice']);
  readonly sent: Parameters<ManagedCodeSender['send']>[0][] = [];
  async send(m: Parameters<ManagedCodeSender['send']>[0]) {
    this.sent.push(m);
    return { messageId: `n-${this.sent.length}` };
  }
}

describe('codes through a managed sender', () => {
  it('sends the code through Notify (SMS, and calls where it has voice), keeps no provenance of words that are not ours, and the code approves', async () => {
    const managed = new RecordingManaged();
    const { deps, sms, store } = fakeOtpDeps({ managedCodes: managed });
    let provenance: unknown = 'unset';
    const create = store.create.bind(store);
    store.create = (v, counters, now, event, range, sent, more) => {
      provenance = sent;
      return create(v, counters, now, event, range, sent, more);
    };
    const view = await issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123456', locale: 'de' }));
    expect(sms.sent).toEqual([]);
    expect(managed.sent).toEqual([expect.objectContaining({ to: '+447400123456', channel: 'sms', locale: 'de', ttlSeconds: 300, ref: expect.stringMatching(/^otp:/) })]);
    expect(provenance).toBeUndefined();
    await expect(verifyOtp(deps, 'app-a', view.verificationId, { code: managed.sent[0]!.code })).resolves.toMatchObject({ status: 'approved' });
    // Voice is offered through Notify's calls.
    await issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123457', channel: 'voice' }));
    expect(managed.sent[1]).toMatchObject({ channel: 'voice' });
  });

  it('texts a transaction code in our own words (Notify\'s templates cannot name amount and payee), with its provenance', async () => {
    const managed = new RecordingManaged();
    const { deps, sms } = fakeOtpDeps({ managedCodes: managed });
    await issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123456', purpose: 'transaction', transaction: { amount: '120.50', currency: 'EUR', payee: 'ACME Ltd' } }));
    expect(managed.sent).toEqual([]);
    expect(sms.sent[0]!.text).toContain('ACME Ltd');
  });
});
