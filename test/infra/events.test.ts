import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '#shared/webhooks/backoff';
import { actionsOf, NO_BUNDLING, roleOf, roleStatements, synthesized } from './synth.ts';

/** The events side of the stack: bus, webhook queue and its dead letters, receipts, least privilege. */
const { template } = synthesized();
const statements = roleStatements(template);
const of = (fn: string) => statements.filter(({ role }) => role === roleOf(template, fn)).map(({ statement }) => statement);

describe('events', () => {
  it('has the stage\'s bus, and only the publisher may put events on it', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'sealtext-dev' });
    const putters = statements.filter(({ statement }) => actionsOf(statement).includes('events:PutEvents')).map((s) => s.role);
    expect(putters).toEqual([roleOf(template, 'publish-events')]);
  });

  it('feeds the publisher inserted audit events from the stream, with an on-failure queue', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TablesAudit'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'E#' }] } } } }) }] },
    });
  });

  it('queues webhook jobs with SSE and TLS only, hands them to the deliverer with item failures, dead-letters after every attempt, and alarms on it', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    for (const q of Object.values(queues)) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    const main = Object.values(queues).find((q) => q.Properties.RedrivePolicy)!;
    expect(main.Properties.RedrivePolicy.maxReceiveCount).toBe(MAX_ATTEMPTS);
    // Long enough for the whole schedule (more than 24 h of retries).
    expect(main.Properties.MessageRetentionPeriod).toBeGreaterThanOrEqual(36 * 3600);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies.length).toBe(Object.keys(queues).length);
    for (const p of policies) expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 5 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'sealtext-dev-WebhookDeadLetters', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [Match.anyValue()],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'sealtext-dev-PublishFailures' });
  });

  it('subscribes the receipts function to both SNS delivery status log groups, which no stage owns as resources', () => {
    // The groups are named by SNS, one pair per account and region: a resource would collide across stages and redeploys.
    const owned = Object.values(template.findResources('AWS::Logs::LogGroup')).filter((g) => JSON.stringify(g.Properties.LogGroupName ?? '').includes('DirectPublishToPhoneNumber'));
    expect(owned).toEqual([]);
    const ensures = Object.values(template.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties.Create)).filter((c) => c.includes('createLogGroup'));
    expect(ensures).toHaveLength(2);
    for (const c of ensures) expect(c).toContain('ResourceAlreadyExistsException');
    expect(ensures.some((c) => c.includes('DirectPublishToPhoneNumber/Failure'))).toBe(true);
    expect(Object.values(template.findResources('Custom::AWS')).every((r) => r.Properties.Delete === undefined)).toBe(true);
    const filters = Object.values(template.findResources('AWS::Logs::SubscriptionFilter'));
    expect(filters).toHaveLength(2);
    for (const f of filters) expect(JSON.stringify(f.Properties.DestinationArn)).toContain('Fnsmsreceipts');
    // A stage on End User Messaging has no use for them.
    const { template: eum } = synthesized({ ...NO_BUNDLING, smsProvider: 'eum' });
    eum.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
  });

  it('feeds the range credits only approvals from the same stream, parked in a queue of their own that alarms', () => {
    const credits = template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: Match.stringLikeRegexp('Fncreditranges') } } });
    const [mapping] = Object.values(credits) as { Properties: Record<string, unknown> }[];
    expect(Object.keys(credits)).toHaveLength(1);
    expect(mapping!.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/TablesAudit/), 'StreamArn'] },
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/RangeCreditFailures/), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'E#' }] } }, NewImage: { action: { S: ['otp.verify'] }, outcome: { S: ['approved'] } } } }) }] },
    });
    // The stream has two readers, its limit per shard.
    const readers = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m).includes('TablesAudit'));
    expect(readers).toHaveLength(2);
  });

  it('lets the range credits read verifications, count into range windows and their markers, and ask the subject index: nothing else', () => {
    const credits = of('credit-ranges');
    const data = credits.find((s) => s.Sid === 'DataTable')!;
    expect([...actionsOf(data)]).toEqual(['dynamodb:GetItem']);
    expect(data.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OTP#*'] } });
    const writes = credits.find((s) => s.Sid === 'RangeCredits')!;
    expect([...actionsOf(writes)].sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(writes.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RANGE#*', 'RANGECREDIT#*'] } });
    expect(JSON.stringify(credits.find((s) => s.Sid === 'TrustQuery')!.Resource)).toContain('/index/bySubject');
    const actions = credits.flatMap(actionsOf);
    // SQS only for its mapping's on-failure queue (Lambda sends there with the function's role).
    for (const s of credits.filter((x) => actionsOf(x).some((a) => a.startsWith('sqs:')))) expect(JSON.stringify(s.Resource)).toMatch(/RangeCreditFailures/);
    for (const a of ['sns:Publish', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'kms:Decrypt', 'events:PutEvents']) {
      if (a === 'kms:Decrypt') for (const s of credits.filter((x) => actionsOf(x).includes(a))) expect(s.Condition?.StringLike?.['kms:ViaService']).toBe('dynamodb.*.amazonaws.com');
      else expect(actions).not.toContain(a);
    }
  });

  it('gives the publisher the feed and webhooks only, and the deliverer the webhook secret only', () => {
    const publisher = of('publish-events');
    const data = publisher.find((s) => s.Sid === 'DataTable')!;
    expect([...actionsOf(data)].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(data.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVENTS#*', 'WEBHOOK*'] } });
    expect(publisher.find((s) => s.Sid === 'DataBatchWrite')!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVENTS#*'] } });
    const actions = publisher.flatMap(actionsOf);
    for (const a of ['sns:Publish', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'sqs:ReceiveMessage']) expect(actions).not.toContain(a);
    // Its only KMS use is DynamoDB's own (table and stream encryption).
    for (const s of publisher.filter((x) => actionsOf(x).some((a) => a.startsWith('kms:')))) expect(s.Condition?.StringLike?.['kms:ViaService']).toBe('dynamodb.*.amazonaws.com');

    const deliverer = of('deliver-webhooks');
    expect(deliverer.find((s) => s.Sid === 'DataTable')!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOK#*'] } });
    const unwrap = deliverer.find((s) => s.Sid === 'UnwrapKeys')!;
    expect(unwrap.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).toEqual(['webhook-secret']);
    expect(deliverer.flatMap(actionsOf)).not.toContain('sqs:SendMessage');
    // Only the webhook routes seal a secret, and nobody but the deliverer opens one.
    const openers = statements.filter(({ statement }) => JSON.stringify(statement.Condition ?? {}).includes('webhook-secret') && actionsOf(statement).includes('kms:Decrypt')).map((s) => s.role);
    expect(openers).toEqual([roleOf(template, 'deliver-webhooks')]);
  });

  it('lets the receipts function update records found through the SMS index, and write their audit events, nothing more', () => {
    const receipts = of('sms-receipts');
    const data = receipts.find((s) => s.Sid === 'DataTable')!;
    expect([...actionsOf(data)].sort()).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(data.Resource)).toContain('/index/bySms');
    expect(JSON.stringify(data.Resource)).not.toContain('/index/bySubject');
    expect(receipts.flatMap(actionsOf).filter((a) => a.startsWith('sns:') || a.startsWith('sms-voice:'))).toEqual([]);
    expect(receipts.find((s) => s.Sid === 'UnwrapKeys')).toBeUndefined();
  });
});

describe('End User Messaging as the SMS provider', () => {
  const eum = synthesized({ ...NO_BUNDLING, smsProvider: 'eum', eumOriginationIdentity: 'pool-123' });
  const eumStatements = roleStatements(eum.template);

  it('sends with SendTextMessage through its configuration set, never SNS publish, and routes its receipt events', () => {
    eum.template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', { ConfigurationSetName: 'sealtext-dev' });
    eum.template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.sms-voice'], 'detail-type': ['Text Message Delivery Status Updated', 'Voice Message Delivery Status Updated'] } });
    const senders = eumStatements.filter(({ statement }) => actionsOf(statement).includes('sms-voice:SendTextMessage')).map((s) => s.role).sort();
    expect(senders).toEqual(['advance-workflows', 'inbound-sms', 'issue-otp', 'request-open-code', 'resend-otp', 'send-message'].map((n) => roleOf(eum.template, n)).sort());
    expect(eumStatements.filter(({ statement }) => actionsOf(statement).includes('sns:Publish') && statement.NotResource)).toEqual([]);
    const issue = Object.entries(eum.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Fnissueotp'))![1];
    expect(issue.Properties.Environment.Variables).toMatchObject({ SMS_ADAPTER: 'eum', EUM_CONFIGURATION_SET: 'sealtext-dev', EUM_ORIGINATION_IDENTITY: 'pool-123' });
  });
});

describe('voice codes (API 1.2)', () => {
  it('lets only issue and resend call, with SendVoiceMessage on the voice identity and the configuration set, where the stage configures voice', () => {
    const voice = synthesized({ ...NO_BUNDLING, smsProvider: 'eum', voiceOriginationIdentity: 'pool-voice1' });
    const statements = roleStatements(voice.template).filter(({ statement }) => actionsOf(statement).includes('sms-voice:SendVoiceMessage'));
    expect(statements.map((s) => s.role).sort()).toEqual(['advance-workflows', 'issue-otp', 'resend-otp'].map((n) => roleOf(voice.template, n)).sort());
    for (const { statement } of statements) {
      expect(actionsOf(statement)).toEqual(['sms-voice:SendVoiceMessage']);
      expect(JSON.stringify(statement.Resource)).toContain(':configuration-set/sealtext-dev');
      expect(JSON.stringify(statement.Resource)).toContain(':pool/pool-voice1');
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    const issue = Object.entries(voice.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Fnissueotp'))![1];
    expect(issue.Properties.Environment.Variables).toMatchObject({ VOICE_ADAPTER: 'eum', VOICE_ORIGINATION_IDENTITY: 'pool-voice1' });
  });

  it('gives no function voice where the stage configures none, and refuses voice without End User Messaging', () => {
    expect(statements.filter(({ statement }) => actionsOf(statement).includes('sms-voice:SendVoiceMessage'))).toEqual([]);
    expect(() => synthesized({ ...NO_BUNDLING, voiceOriginationIdentity: 'pool-voice1' })).toThrow(/voiceOriginationIdentity: voice calls go through End User Messaging/);
  });
});

describe('WhatsApp codes (API 1.2)', () => {
  const phoneNumberId = `phone-number-id-${'0a'.repeat(16)}`;
  const wa = synthesized({ ...NO_BUNDLING, whatsapp: { phoneNumberId, templatePrefix: 'acme_code' } });

  it('lets only the senders send (codes, sealed messages and their open codes), SendWhatsAppMessage on the linked number alone, and routes its statuses to the receipts function', () => {
    const statements = roleStatements(wa.template).filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('social-messaging:')));
    expect(statements.map((s) => s.role).sort()).toEqual(['advance-workflows', 'issue-otp', 'resend-otp', 'send-message', 'request-open-code'].map((n) => roleOf(wa.template, n)).sort());
    for (const { statement } of statements) {
      expect(actionsOf(statement)).toEqual(['social-messaging:SendWhatsAppMessage']);
      expect(JSON.stringify(statement.Resource)).toContain(`:phone-number-id/${'0a'.repeat(16)}`);
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    const rules = Object.values(wa.template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.social-messaging'));
    expect(rules).toHaveLength(1);
    expect(JSON.stringify(rules[0]!.Properties.Targets)).toContain('Fnsmsreceipts');
    const issue = Object.entries(wa.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Fnissueotp'))![1];
    expect(issue.Properties.Environment.Variables).toMatchObject({ WHATSAPP_ADAPTER: 'social', WHATSAPP_PHONE_NUMBER_ID: phoneNumberId, WHATSAPP_META_API_VERSION: 'v20.0', WHATSAPP_TEMPLATE_PREFIX: 'acme_code' });
  });

  it('lets End User Messaging Social publish inbound WhatsApp messages to the inbound topic, of this account only, and only where WhatsApp is linked', () => {
    const policies = (t: typeof template) => JSON.stringify(t.findResources('AWS::SNS::TopicPolicy'));
    expect(policies(wa.template)).toContain('social-messaging.amazonaws.com');
    expect(policies(wa.template)).toContain('aws:SourceAccount');
    expect(policies(template)).not.toContain('social-messaging');
    expect(JSON.stringify(wa.template.findResources('AWS::KMS::Key'))).toContain('social-messaging.amazonaws.com');
    expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).not.toContain('social-messaging');
  });

  it('gives no function WhatsApp, and routes no status, where the stage links no number; refuses a malformed number id', () => {
    expect(statements.filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('social-messaging:')))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain('aws.social-messaging');
    expect(() => synthesized({ ...NO_BUNDLING, whatsapp: { phoneNumberId: '12345' } })).toThrow(/whatsapp.phoneNumberId/);
  });
});

describe('per-channel alarms (API 1.2)', () => {
  const failures = (t: typeof template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string).filter((n) => n.includes('ChannelFailures-')).sort();

  it('alarms on the failure share of each configured channel, from this stage\'s own per-channel counts', () => {
    const all = synthesized({ ...NO_BUNDLING, smsProvider: 'eum', voiceOriginationIdentity: 'pool-voice1', whatsapp: { phoneNumberId: `phone-number-id-${'0a'.repeat(16)}` } });
    expect(failures(all.template)).toEqual(['sealtext-dev-ChannelFailures-sms', 'sealtext-dev-ChannelFailures-voice', 'sealtext-dev-ChannelFailures-whatsapp']);
    const whatsapp = Object.values(all.template.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.AlarmName === 'sealtext-dev-ChannelFailures-whatsapp')!;
    const metrics = JSON.stringify(whatsapp.Properties.Metrics);
    expect(metrics).toContain('IF(sent_whatsapp >= 20, (refused_whatsapp + undelivered_whatsapp) / sent_whatsapp, 0)');
    for (const name of ['CodeSentByChannel', 'CodeRefusedByChannel', 'Receipt_undelivered_whatsapp']) expect(metrics).toContain(name);
    expect(metrics).toContain('"Value":"whatsapp"');
    const dashboard = JSON.stringify(all.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('Delivered / sent by channel');
    expect(dashboard).toContain('Conversion by channel');
    expect(dashboard).toContain('OtpApprovedByChannel');
  });

  it('has only the SMS one on a stage with no other channel', () => {
    expect(failures(template)).toEqual(['sealtext-dev-ChannelFailures-sms']);
  });
});

describe('End User Messaging Notify (smsProvider: notify)', () => {
  it('lets only the code senders use Notify, on the Notify configuration and the configuration set; other texts go through End User Messaging SMS', () => {
    const n = synthesized({ ...NO_BUNDLING, smsProvider: 'notify', notify: { configurationId: 'nc-123', voice: true, templates: { de: 'notify-code-verification-german-001' } } });
    const statements = roleStatements(n.template).filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('sms-voice:SendNotify')));
    expect(statements.map((s) => s.role).sort()).toEqual(['advance-workflows', 'issue-otp', 'resend-otp'].map((r) => roleOf(n.template, r)).sort());
    for (const { statement } of statements) {
      expect(actionsOf(statement)).toEqual(['sms-voice:SendNotifyTextMessage', 'sms-voice:SendNotifyVoiceMessage']);
      expect(JSON.stringify(statement.Resource)).toContain(':notify-configuration/nc-123');
      expect(JSON.stringify(statement.Resource)).toContain(':configuration-set/sealtext-dev');
    }
    n.template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', { ConfigurationSetName: 'sealtext-dev' });
    const issue = Object.entries(n.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Fnissueotp'))![1];
    expect(issue.Properties.Environment.Variables).toMatchObject({ SMS_ADAPTER: 'eum', NOTIFY_CONFIGURATION_ID: 'nc-123', NOTIFY_VOICE: 'true', NOTIFY_TEMPLATE_DE: 'notify-code-verification-german-001' });
    const send = Object.entries(n.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Fnsendmessage'))![1];
    expect(send.Properties.Environment.Variables.NOTIFY_CONFIGURATION_ID).toBeUndefined();
  });

  it('refuses notify without its settings, and its settings without notify', () => {
    expect(() => synthesized({ ...NO_BUNDLING, smsProvider: 'notify' })).toThrow(/"smsProvider": "notify" and the "notify" settings go together/);
    expect(() => synthesized({ ...NO_BUNDLING, notify: { configurationId: 'nc-1' } })).toThrow(/go together/);
    expect(statements.filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('sms-voice:SendNotify')))).toEqual([]);
  });
});

describe('e-mail (API 1.2)', () => {
  const mail = synthesized({ ...NO_BUNDLING, email: { domain: 'mail.example.com', from: 'Acme <codes@mail.example.com>' } });

  it('creates the domain identity with Easy DKIM, a TLS-only configuration set whose events reach the receipts function, and the DKIM records as outputs', () => {
    mail.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'mail.example.com', ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() } });
    mail.template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'sealtext-dev-mail', DeliveryOptions: { TlsPolicy: 'REQUIRE' }, SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] } });
    mail.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { Enabled: true, MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint', 'reject']), EventBridgeDestination: { EventBusArn: Match.anyValue() } },
    });
    const rules = Object.values(mail.template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.ses'));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.EventPattern.detail).toEqual({ mail: { tags: { 'ses:configuration-set': ['sealtext-dev-mail'] } } });
    expect(JSON.stringify(rules[0]!.Properties.Targets)).toContain('Fnsmsreceipts');
    const outputs = Object.keys((mail.template.toJSON() as { Outputs?: object }).Outputs ?? {});
    expect(outputs.filter((o) => o.startsWith('EmailDkimRecord'))).toHaveLength(3);
  });

  it('lets only the code senders send, ses:SendEmail on the identity and the configuration set alone; alarms before SES reviews the account', () => {
    const statements = roleStatements(mail.template).filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('ses:')));
    expect(statements.map((s) => s.role).sort()).toEqual(['advance-workflows', 'issue-otp', 'request-open-code', 'resend-otp', 'send-message'].map((n) => roleOf(mail.template, n)).sort());
    for (const { statement } of statements) {
      expect(actionsOf(statement)).toEqual(['ses:SendEmail']);
      expect(JSON.stringify(statement.Resource)).toContain(':identity/mail.example.com');
      expect(JSON.stringify(statement.Resource)).toContain(':configuration-set/sealtext-dev-mail');
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    const issue = Object.entries(mail.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Fnissueotp'))![1];
    expect(issue.Properties.Environment.Variables).toMatchObject({ EMAIL_ADAPTER: 'ses', EMAIL_FROM: 'Acme <codes@mail.example.com>', SES_CONFIGURATION_SET: 'sealtext-dev-mail' });
    const alarms = Object.values(mail.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.find((a) => a.Properties.MetricName === 'Reputation.BounceRate')!.Properties.Threshold).toBe(0.025);
    expect(alarms.find((a) => a.Properties.MetricName === 'Reputation.ComplaintRate')!.Properties.Threshold).toBe(0.0005);
  });

  it('has none of it where the stage configures no e-mail, and refuses a From outside the domain', () => {
    expect(Object.keys(template.findResources('AWS::SES::EmailIdentity'))).toEqual([]);
    expect(statements.filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('ses:')))).toEqual([]);
    expect(() => synthesized({ ...NO_BUNDLING, email: { domain: 'mail.example.com', from: 'codes@example.org' } })).toThrow(/"from" must be an address at "domain"/);
  });
});
