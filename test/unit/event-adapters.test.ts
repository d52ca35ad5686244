import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand, ResourceNotFoundException } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CLIENT_SCOPES_TTL_MS, CognitoClientDirectory } from '#shared/adapters/events/cognito-clients';
import { ConflictException, PinpointSMSVoiceV2Client, SendTextMessageCommand, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '#shared/events/cloud-event';
import { EventBridgeBus } from '#shared/adapters/events/eventbridge-bus';
import { EumSender } from '#shared/adapters/sms/eum';
import { SmsRejected } from '#shared/sms/sender';
import { SqsWebhookQueue } from '#shared/adapters/webhooks/sqs-queue';

/** Contract tests of the AWS adapters behind events and the second SMS provider: the exact commands. */
const events = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const eum = mockClient(PinpointSMSVoiceV2Client);
const event = (n: number): CloudEvent => ({ specversion: '1.0', id: `ev${n}`, type: 'verification.approved', source: 'sealtext', time: '2026-11-23T10:00:00.000Z', datacontenttype: 'application/json', data: { verificationId: 'v' } });

beforeEach(() => {
  events.reset();
  sqs.reset();
  eum.reset();
});

describe('EventBridge bus', () => {
  it('puts each event on the stage bus, source sealtext, detail-type its type, ten per call', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), 'sealtext-prod').put(Array.from({ length: 12 }, (_, i) => event(i)));
    const calls = events.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
    expect(calls[0]!.args[0].input.Entries![0]).toEqual({
      EventBusName: 'sealtext-prod', Source: 'sealtext', DetailType: 'verification.approved', Detail: JSON.stringify(event(0)), Time: new Date('2026-11-23T10:00:00.000Z'),
    });
  });

  it('retries only the entries EventBridge refused, then fails the batch if they keep failing', async () => {
    events.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    await new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), 'b').put([event(1), event(2)]);
    expect(events.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).id)).toEqual(['ev2']);

    events.reset();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), 'b').put([event(1)])).rejects.toThrow(/refused/);
  });
});

describe('SQS webhook queue', () => {
  it('sends jobs in batches of ten and hides a failed one for its backoff (at most 12 h)', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const queue = new SqsWebhookQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.eu-west-1.amazonaws.com/1/webhooks');
    await queue.enqueue(Array.from({ length: 11 }, (_, i) => ({ clientId: 'acme', event: event(i) })));
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.Entries!.length)).toEqual([10, 1]);
    expect(JSON.parse(batches[0]!.Entries![0]!.MessageBody!)).toEqual({ clientId: 'acme', event: event(0) });
    await queue.retryLater('handle-1', 300);
    await queue.retryLater('handle-2', 100_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/webhooks', ReceiptHandle: 'handle-1', VisibilityTimeout: 300 },
      { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/webhooks', ReceiptHandle: 'handle-2', VisibilityTimeout: 43_200 },
    ]);
  });

  it('fails the publish when SQS refuses a job (the stream batch is retried)', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'x', SenderFault: false }] });
    await expect(new SqsWebhookQueue(new SQSClient({ region: 'eu-west-1' }), 'q').enqueue([{ clientId: 'a', event: event(1) }])).rejects.toThrow(/refused/);
  });
});

describe('End User Messaging SMS sender', () => {
  it('sends a transactional text through the configuration set, origination identity and Protect configuration', async () => {
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-1' });
    const sender = new EumSender(new PinpointSMSVoiceV2Client({ region: 'eu-west-1' }), { configurationSet: 'sealtext-prod', originationIdentity: 'pool-1', protectConfigurationId: 'protect-1' });
    expect(await sender.send({ to: '+447400123456', text: 'hello', ref: 'otp:v1:1' })).toEqual({ messageId: 'eum-1' });
    expect(eum.commandCalls(SendTextMessageCommand)[0]!.args[0].input).toEqual({
      DestinationPhoneNumber: '+447400123456', MessageBody: 'hello', MessageType: 'TRANSACTIONAL', ConfigurationSetName: 'sealtext-prod',
      OriginationIdentity: 'pool-1', ProtectConfigurationId: 'protect-1',
      // The record reference rides in the Context and comes back in every event of the message.
      Context: { sealtextRef: 'otp:v1:1' },
    });
    expect(sender.echoesRef).toBe(true);
  });

  it('maps an opted-out destination and a refused one to SmsRejected; other faults pass through', async () => {
    const sender = new EumSender(new PinpointSMSVoiceV2Client({ region: 'eu-west-1' }), { configurationSet: 's' });
    eum.on(SendTextMessageCommand).rejects(new ConflictException({ message: 'opted out', $metadata: {}, Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opt-out-list', ResourceId: 'x' }));
    await expect(sender.send({ to: '+447400123456', text: 'x' })).rejects.toMatchObject({ reason: 'opted_out' });
    eum.reset();
    eum.on(SendTextMessageCommand).rejects(new ValidationException({ message: 'bad', $metadata: {}, Reason: 'INVALID_PARAMETER' }));
    await expect(sender.send({ to: '+447400123456', text: 'x' })).rejects.toBeInstanceOf(SmsRejected);
    eum.reset();
    eum.on(SendTextMessageCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(sender.send({ to: '+447400123456', text: 'x' })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('CognitoClientDirectory (the publisher\'s check of a webhook\'s client)', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  beforeEach(() => cognito.reset());

  it('asks DescribeUserPoolClient for the app client\'s allowed scopes, caches them a minute, and reads a deleted client as gone', async () => {
    cognito.on(DescribeUserPoolClientCommand, { ClientId: 'acme' }).resolves({ UserPoolClient: { ClientId: 'acme', AllowedOAuthScopes: ['p2a/otp.send', 'p2a/consent.read'] } });
    cognito.on(DescribeUserPoolClientCommand, { ClientId: 'gone' }).rejects(new ResourceNotFoundException({ message: 'User pool client gone does not exist.', $metadata: {} }));
    let now = 0;
    const directory = new CognitoClientDirectory(new CognitoIdentityProviderClient({ region: 'eu-west-2' }), 'eu-west-2_pool', () => now);
    expect(await directory.scopesOf('acme')).toEqual(new Set(['p2a/otp.send', 'p2a/consent.read']));
    expect(await directory.scopesOf('gone')).toBeUndefined();
    expect(cognito.commandCalls(DescribeUserPoolClientCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'eu-west-2_pool', ClientId: 'acme' });
    await directory.scopesOf('acme');
    expect(cognito.commandCalls(DescribeUserPoolClientCommand)).toHaveLength(2);
    now += CLIENT_SCOPES_TTL_MS;
    await directory.scopesOf('acme');
    expect(cognito.commandCalls(DescribeUserPoolClientCommand)).toHaveLength(3);
  });

  it('lets a throttled call fail the batch (retried by the stream) and does not remember the failure', async () => {
    cognito.on(DescribeUserPoolClientCommand).rejectsOnce(new Error('TooManyRequestsException')).resolves({ UserPoolClient: { AllowedOAuthScopes: [] } });
    const directory = new CognitoClientDirectory(new CognitoIdentityProviderClient({ region: 'eu-west-2' }), 'eu-west-2_pool');
    await expect(directory.scopesOf('acme')).rejects.toThrow('TooManyRequestsException');
    expect(await directory.scopesOf('acme')).toEqual(new Set());
  });
});
