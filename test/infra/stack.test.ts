import { NestedStack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { fraudRules } from '#shared/fraud/alarm-rules';
import { SCOPES } from '#shared/http/scopes';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../infra/build-app.ts';
import { FUNCTION_NEEDS, stageFunctionNames } from '../../infra/permissions.ts';
import { FUNCTION_NAMES as ALL_FUNCTIONS, ROUTES } from '../../infra/routes.ts';

// The dev stage keeps no archive, so it has no archiver (test/infra/archive.test.ts covers the stage that does).
const FUNCTION_NAMES = stageFunctionNames(ALL_FUNCTIONS, {});
import { actionsOf, NO_BUNDLING, roleOf, roleStatements, synthesized } from './synth.ts';

/** Security properties of the deployed stack, asserted as properties rather than snapshots. */
const { template, nag } = synthesized();

/** A complete production stage file (stages/example-prod.json's required part). */
const PROD = { region: 'eu-west-2', alarmEmail: 'ops@example.com', allowedCountries: ['GB'], smsMonthlySpendLimitUsd: 150_000, expectedCodesPerDay: 100_000, smsFunctionConcurrency: 10 };

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding', () => {
    const findings = nag.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a reason a reviewer can read', () => {
    const acknowledgements = synthesized()
      .app.node.findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThanOrEqual(8);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(40);
  });
});

describe('API Gateway', () => {
  it('puts the Cognito authorizer with the route\'s scope on every method but the recipient\'s', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(ROUTES.length);
    const secured = methods.filter((m) => m.Properties.AuthorizationType !== 'NONE');
    for (const m of secured) {
      expect(m.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(m.Properties.AuthorizerId).toBeDefined();
      expect(m.Properties.AuthorizationScopes).toHaveLength(1);
    }
    for (const m of methods) expect(m.Properties.RequestValidatorId).toBeDefined();
    const scopesByMethod = secured.map((m) => `${m.Properties.HttpMethod} ${m.Properties.AuthorizationScopes[0]}`).sort();
    expect(scopesByMethod).toEqual(ROUTES.filter((r) => r.scope !== 'public').map((r) => `${r.method} ${r.scope}`).sort());
    expect(methods.length - secured.length).toBe(ROUTES.filter((r) => r.scope === 'public').length);
    expect(ROUTES.filter((r) => r.scope === 'public').every((r) => /^\/(m|u)\//.test(r.path))).toBe(true);
  });

  it('is regional, throttled per stage and per method from the settings, access-logged, with no body logging', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0]!.Properties;
    expect(stage.AccessLogSetting.Format).toMatch(/requestId/);
    const settings = stage.MethodSettings as { HttpMethod: string; ResourcePath: string; ThrottlingRateLimit: number; ThrottlingBurstLimit: number; DataTraceEnabled?: boolean; LoggingLevel?: string }[];
    expect(settings.find((m) => m.HttpMethod === '*')).toMatchObject({ DataTraceEnabled: false, ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000, LoggingLevel: 'ERROR' });
    expect(settings.find((m) => m.HttpMethod === 'POST' && m.ResourcePath === '/~1v1~1otp')).toMatchObject({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
    expect(settings.find((m) => m.HttpMethod === 'POST' && m.ResourcePath === '/~1v1~1messages')).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });

    // Settings flow through: another stage's throttles.
    const custom = synthesized({ ...NO_BUNDLING, apiThrottle: '{"rateLimit":70,"burstLimit":90}', methodThrottles: '{"GET /v1/audit":{"rateLimit":5,"burstLimit":10}}' }).template;
    const customSettings = Object.values(custom.findResources('AWS::ApiGateway::Stage'))[0]!.Properties.MethodSettings as typeof settings;
    expect(customSettings.find((m) => m.HttpMethod === '*')).toMatchObject({ ThrottlingRateLimit: 70, ThrottlingBurstLimit: 90 });
    expect(customSettings.find((m) => m.HttpMethod === 'GET')).toMatchObject({ ResourcePath: '/~1v1~1audit', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
  });

  it('rate-limits per IP only where a browser or a stranger calls (the recipient routes, the token endpoint); the API per client', () => {
    const acls = template.findResources('AWS::WAFv2::WebACL');
    const associations = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation')).map((a) => JSON.stringify(a.Properties.ResourceArn));
    expect(associations).toHaveLength(2);
    // One on the API stage, one on the Cognito user pool (the token endpoint).
    expect(associations.some((a) => a.includes('restapis'))).toBe(true);
    expect(associations.some((a) => a.includes('HttpClients'))).toBe(true);
    const [apiAcl, tokenAcl] = Object.entries(acls).sort(([a], [b]) => (a.includes('Token') ? 1 : b.includes('Token') ? -1 : 0)).map(([, acl]) => acl.Properties);
    const rules = apiAcl.Rules as { Name: string; Statement: { RateBasedStatement?: Record<string, unknown> } }[];
    expect(rules.map((r) => r.Name)).toEqual(['RatePerClient', 'RecipientRatePerIp', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    const recipientOnly = { RegexMatchStatement: { RegexString: '^(/[^/]+)?/(m|u)/', FieldToMatch: { UriPath: {} } } };
    // Per token, on everything but the recipient routes.
    expect(rules[0]!.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'CUSTOM_KEYS', Limit: 150000, CustomKeys: [{ Header: { Name: 'authorization' } }], ScopeDownStatement: { NotStatement: { Statement: recipientOnly } },
    });
    // Per IP, on the recipient routes only.
    expect(rules[1]!.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: 100, ScopeDownStatement: recipientOnly });
    const ipRules = rules.filter((r) => r.Statement.RateBasedStatement?.AggregateKeyType === 'IP');
    expect(ipRules).toHaveLength(1);
    for (const r of ipRules) expect(r.Statement.RateBasedStatement!.ScopeDownStatement).toMatchObject(recipientOnly);
    expect((tokenAcl.Rules as { Name: string; Statement: unknown }[])[0]).toMatchObject({ Name: 'TokenRatePerIp', Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 300 } } });
    // The recipient-path pattern matches with and without the stage prefix, and nothing else.
    const re = new RegExp(recipientOnly.RegexMatchStatement.RegexString);
    expect(['/m/abc', '/prod/m/abc/open'].every((p) => re.test(p))).toBe(true);
    expect(['/v1/otp', '/prod/v1/messages/m/x', '/prod/v1/otp'].some((p) => re.test(p))).toBe(false);
  });

  it('sets the endpoint access mode its enhanced TLS policy requires (STRICT)', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09', EndpointAccessMode: 'STRICT' });
  });

  it('lets End User Messaging (this account only) publish inbound texts to the inbound topic', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Effect: string; Principal?: { Service?: string }; Action: string; Condition?: unknown }[]);
    const inbound = statements.find((s) => s.Sid === 'EndUserMessagingInbound')!;
    expect(inbound).toMatchObject({ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
  });

  it('keeps numbers and link tokens out of every AWS-side trace, access log and WAF log or sample', () => {
    // X-Ray would record the full URL: off on the stage and on every function.
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0]!.Properties;
    expect(stage.TracingEnabled).toBe(false);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) expect(fn.Properties.TracingConfig?.Mode).not.toBe('Active');
    // Access logs name the route's template, never the path or query as sent.
    const format = JSON.parse(stage.AccessLogSetting.Format as string) as Record<string, string>;
    expect(format.resourcePath).toBe('$context.resourcePath');
    expect(JSON.stringify(format)).not.toMatch(/\$context\.(path|requestOverride|authorizer\.claims\.scope)|\$input|\$method\.request/);
    expect(stage.MethodSettings).toEqual(expect.arrayContaining([expect.objectContaining({ HttpMethod: '*', DataTraceEnabled: false })]));
    // WAF: no sampled requests anywhere (samples show the URI), and its logs redact URI, query and the bearer token.
    for (const acl of Object.values(template.findResources('AWS::WAFv2::WebACL'))) {
      expect(acl.Properties.VisibilityConfig.SampledRequestsEnabled).toBe(false);
      for (const rule of acl.Properties.Rules as { VisibilityConfig: { SampledRequestsEnabled: boolean } }[]) expect(rule.VisibilityConfig.SampledRequestsEnabled).toBe(false);
    }
    const logging = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(logging).toHaveLength(1);
    expect(logging[0]!.Properties.RedactedFields).toEqual([{ UriPath: {} }, { QueryString: {} }, { SingleHeader: { Name: 'authorization' } }]);
    const wafLogGroups = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([, g]) => JSON.stringify(g.Properties.LogGroupName ?? '').includes('aws-waf-logs-'));
    expect(wafLogGroups).toHaveLength(1);
    expect(JSON.stringify(logging[0]!.Properties.LogDestinationConfigs)).toContain(wafLogGroups[0]![0]);
    // Every route that names a person has a body form; the path and query forms are marked deprecated.
    const personInUrl = ROUTES.filter((r) => r.scope !== 'public' && (r.path.includes('{phone}') || ['/v1/consents', '/v1/audit'].includes(r.path)) && r.method !== 'PUT');
    expect(personInUrl.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['DELETE /v1/subjects/{phone}', 'GET /v1/audit', 'GET /v1/consents', 'GET /v1/subjects/{phone}/export']);
    for (const r of personInUrl) {
      expect(r.deprecated, r.path).toBe(true);
      expect(ROUTES.some((b) => b.fn === r.fn && b.method === 'POST' && !b.deprecated), r.fn).toBe(true);
    }
  });

  it('answers its own refusals as problem+json with no-store', () => {
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED', 'BAD_REQUEST_BODY', 'THROTTLED', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
          'gatewayresponse.header.Cache-Control': "'no-store'",
        }),
      });
    }
  });

  it('offers the p2a resource server with every scope and client-credentials app clients only', () => {
    const server = Object.values(template.findResources('AWS::Cognito::UserPoolResourceServer'))[0]!;
    expect(server.Properties.Identifier).toBe('p2a');
    expect((server.Properties.Scopes as { ScopeName: string }[]).map((s) => `p2a/${s.ScopeName}`).sort()).toEqual(Object.values(SCOPES).sort());
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['client_credentials'], GenerateSecret: true });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});

describe('IAM: least privilege', () => {
  const statements = roleStatements(template);

  it('grants no "*" action, and "*" resources only where IAM has no narrower resource', () => {
    for (const { statement } of statements) {
      for (const action of actionsOf(statement)) expect(action, JSON.stringify(statement)).not.toMatch(/(^\*$|:\*$)/);
      // Only actions IAM has no resource type for.
      if (statement.Resource === '*') expect([['sns:SetSMSAttributes'], ['cloudwatch:GetMetricData'], ['dynamodb:ListStreams']]).toContainEqual(actionsOf(statement));
    }
  });

  it('subscribes the inbound function to the two-way SMS topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
  });

  it('lets only the sending functions publish SMS (never verify, open or the page), and only to phone numbers', () => {
    // Publishing to a named topic (the brake's notice to ops) is not SMS; anything else is.
    const publishers = statements.filter(({ statement }) => actionsOf(statement).includes('sns:Publish') && !(typeof statement.Resource === 'object' && statement.Resource !== null && 'Ref' in statement.Resource));
    const senders = FUNCTION_NAMES.filter((n) => FUNCTION_NEEDS[n]!.sms);
    expect(senders.sort()).toEqual(['advance-workflows', 'inbound-sms', 'issue-otp', 'request-open-code', 'resend-otp', 'send-message']);
    expect(publishers.map((p) => p.role).sort()).toEqual(senders.map((n) => roleOf(template, n)).sort());
    for (const quiet of ['verify-otp', 'open-message', 'recipient-page']) expect(publishers.map((p) => p.role)).not.toContain(roleOf(template, quiet));
    for (const { statement } of publishers) {
      expect(statement.NotResource).toBe('arn:aws:sns:*:*:*');
      expect(statement.Resource).toBeUndefined();
    }
  });

  it('lets a function call kms:Decrypt directly only for the purposes it needs', () => {
    const direct = statements.filter(({ statement }) => actionsOf(statement).includes('kms:Decrypt') && !statement.Condition?.StringLike?.['kms:ViaService']);
    const purposesByRole = new Map<string, string[]>();
    for (const { role, statement } of direct) {
      expect(statement.Condition?.StringEquals?.['kms:EncryptionContext:app']).toBe('sealtext');
      const purposes = statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'];
      purposesByRole.set(role, [...(purposesByRole.get(role) ?? []), ...(Array.isArray(purposes) ? purposes : [purposes as string])]);
    }
    for (const name of FUNCTION_NAMES) {
      const needs = FUNCTION_NEEDS[name]!;
      const hmacPurposes = { codeHash: 'otp-code-hash', blindIndex: 'phone-blind-index' } as const;
      const expected = [...(needs.hmacKeys ?? []).map((k) => hmacPurposes[k]), ...(needs.decrypt ?? [])].sort();
      expect([...(purposesByRole.get(roleOf(template, name)) ?? [])].sort(), name).toEqual(expected);
    }
    expect(purposesByRole.get(roleOf(template, 'verify-otp'))).not.toContain('otp-delivery');
    // The recipient's open, and a data subject's access request: nothing else reads a body.
    const bodyDecrypters = [...purposesByRole].filter(([, p]) => p.includes('message-body')).map(([role]) => role).sort();
    expect(bodyDecrypters).toEqual([roleOf(template, 'open-message'), roleOf(template, 'export-subject')].sort());
  });

  it('gives the recipient page no KMS permission at all', () => {
    const kms = statements.filter(({ role, statement }) => role === roleOf(template, 'recipient-page') && actionsOf(statement).some((a) => a.startsWith('kms:') && !statement.Condition?.StringLike?.['kms:ViaService']));
    expect(kms).toEqual([]);
  });

  it('lets writers only PutItem into the audit table, the sealer write only seals, the readers only read, and nobody update or delete', () => {
    const auditTable = Object.entries(template.findResources('AWS::DynamoDB::Table')).find(([id]) => id.includes('Audit'))![0];
    const onAudit = statements.filter(({ statement }) => JSON.stringify(statement.Resource ?? '').includes(auditTable));
    const byRole = (action: string) => onAudit.filter(({ statement }) => actionsOf(statement).includes(action)).map((s) => s.role).sort();
    for (const { statement } of onAudit) {
      expect([['dynamodb:PutItem'], ['dynamodb:GetItem', 'dynamodb:Query'], ['dynamodb:Query'], ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']]).toContainEqual([...actionsOf(statement)].sort());
    }
    const sealer = roleOf(template, 'seal-audit');
    const writers = FUNCTION_NAMES.filter((n) => FUNCTION_NEEDS[n]!.audit).map((n) => roleOf(template, n));
    expect(byRole('dynamodb:PutItem')).toEqual([...writers, sealer].sort());
    // The sealer's PutItem reaches the seal partitions only: it can't write or overwrite an event.
    const sealerPut = onAudit.find(({ role, statement }) => role === sealer && actionsOf(statement).includes('dynamodb:PutItem'))!;
    expect(sealerPut.statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SEAL', 'SEALSEQ', 'SEALPAGE#*'] } });
    for (const w of writers) expect(onAudit.find(({ role }) => role === w)!.statement.Condition).toBeUndefined();
    // verify-audit reads the trail a piece at a time (keys-only scan, events by partition, seals and their pages).
    expect(byRole('dynamodb:Query')).toEqual(['list-audit', 'seal-audit', 'publish-events', 'verify-audit'].map((n) => roleOf(template, n)).sort());
    // The publisher reads the stream, and the resource index (masks) and nothing else of the table.
    const publisher = onAudit.filter(({ role }) => role === roleOf(template, 'publish-events'));
    expect(publisher.map(({ statement }) => JSON.stringify(statement.Resource)).sort()).toEqual([expect.stringContaining('"StreamArn"'), expect.stringContaining('/index/byResource')]);
    // The audit stream's two readers: the publisher and the range credits (approvals only).
    expect(byRole('dynamodb:GetRecords')).toEqual(['publish-events', 'credit-ranges'].map((n) => roleOf(template, n)).sort());
    expect(byRole('dynamodb:Scan')).toEqual([roleOf(template, 'verify-audit')]);
  });

  it('lets only the sealer sign seals, in its IAM policy and in the signing key\'s own policy', () => {
    const signers = statements.filter(({ statement }) => actionsOf(statement).some((a) => a === 'kms:Sign' || a === 'kms:*' || a === 'kms:Sign*'));
    expect(signers.map((s) => s.role)).toEqual([roleOf(template, 'seal-audit')]);
    const keys = Object.values(template.findResources('AWS::KMS::Key')).filter((k) => k.Properties.KeySpec === 'ECC_NIST_P256');
    expect(keys).toHaveLength(1);
    expect(keys[0]!.Properties.KeyUsage).toBe('SIGN_VERIFY');
    const policy = keys[0]!.Properties.KeyPolicy.Statement as { Sid: string; Effect: string; Action: string | string[]; Condition?: unknown; Principal: unknown }[];
    // The account administers it but its administrators can't sign: no wildcard that covers Sign.
    for (const st of policy.filter((x) => x.Effect === 'Allow' && x.Sid !== 'OnlyTheSealerSigns')) {
      for (const a of [st.Action].flat()) expect(['kms:Sign', 'kms:*', 'kms:S*', 'kms:Sign*']).not.toContain(a);
    }
    const deny = policy.find((x) => x.Sid === 'NobodyElseSigns')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 'kms:Sign', Principal: { AWS: '*' } });
    expect(JSON.stringify(deny.Condition)).toContain(roleOf(template, 'seal-audit'));
    // The readers may fetch the public key, nothing more.
    const publicKey = statements.filter(({ statement }) => actionsOf(statement).includes('kms:GetPublicKey')).map((s) => s.role).sort();
    expect(publicKey).toEqual(['audit-public-key', 'verify-audit'].map((n) => roleOf(template, n)).sort());
  });

  it('runs the sealer and the sweep every minute', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => r.Properties.ScheduleExpression === 'rate(1 minute)');
    // The sealer and the expiry sweep.
    expect(rules).toHaveLength(2);
    expect(rules.filter((r) => JSON.stringify(r.Properties.Targets).includes('Fnsealaudit'))).toHaveLength(1);
    expect(rules.filter((r) => JSON.stringify(r.Properties.Targets).includes('Fnsweepexpiries'))).toHaveLength(1);
  });

  it('lets only the senders create data keys, for their own purposes', () => {
    const generators = statements.filter(({ statement }) => actionsOf(statement).includes('kms:GenerateDataKey') && !statement.Condition?.StringLike?.['kms:ViaService']);
    const byRole = Object.fromEntries(generators.map(({ role, statement }) => [role, statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose']]));
    const expected = Object.fromEntries(FUNCTION_NAMES.filter((n) => FUNCTION_NEEDS[n]!.encrypt).map((n) => [roleOf(template, n), FUNCTION_NEEDS[n]!.encrypt]));
    expect(byRole).toEqual(expected);
    // Message bodies are sealed by the sender only.
    expect(Object.entries(byRole).filter(([, p]) => (p as string[]).includes('message-body')).map(([r]) => r)).toEqual([roleOf(template, 'send-message')]);
  });

  it('gives read-only routes read-only table access', () => {
    const tableActions = (name: string) =>
      statements.filter(({ role, statement }) => role === roleOf(template, name) && actionsOf(statement).some((a) => a.startsWith('dynamodb:'))).flatMap(({ statement }) => actionsOf(statement));
    expect(tableActions('get-otp')).toEqual(['dynamodb:GetItem']);
    for (const name of FUNCTION_NAMES) {
      // Only the full audit verification reads a whole table (the audit table, nothing else).
      if (name !== 'verify-audit') expect(tableActions(name)).not.toContain('dynamodb:Scan');
      // Only erasure deletes anything.
      if (!['erase-subject', 'delete-fraud-block', 'delete-webhook', 'issue-otp', 'send-message'].includes(name)) expect(tableActions(name), name).not.toContain('dynamodb:DeleteItem');
    }
    expect(tableActions('erase-subject')).toContain('dynamodb:DeleteItem');
  });
});

describe('data at rest', () => {
  it('archives seals in a bucket with Object Lock in compliance mode for the audit retention, SSE-KMS, TLS only, no public access', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')).filter((b) => b.Properties.ObjectLockEnabled);
    expect(buckets).toHaveLength(1);
    const b = buckets[0]!.Properties;
    expect(b.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
    expect(b.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
    // Only the sealer writes there; verify lists it.
    const writers = roleStatements(template).filter(({ statement }) => actionsOf(statement).includes('s3:PutObject')).map((s) => s.role);
    expect(writers).toEqual([roleOf(template, 'seal-audit')]);
  });

  it('keeps both tables on demand with TTL, PITR and SSE with the customer managed key', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(3);
    for (const t of tables) {
      expect(t.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(t.Properties.TimeToLiveSpecification).toMatchObject({ Enabled: true });
      expect(t.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() });
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('rotates the key and names it with an alias', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/sealtext-dev' });
  });

  it('hands functions only wrapped HMAC keys, and only to those that hash', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    for (const name of FUNCTION_NAMES) {
      const fn = Object.entries(fns).find(([id]) => id.startsWith(`Fn${name.replace(/-/g, '')}Fn`))![1];
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(env.KEY_SOURCE).toBe('kms');
      expect('WRAPPED_CODE_HASH_KEY' in env, name).toBe(Boolean(FUNCTION_NEEDS[name]!.hmacKeys?.includes('codeHash')));
      expect('WRAPPED_BLIND_INDEX_KEY' in env, name).toBe(Boolean(FUNCTION_NEEDS[name]!.hmacKeys?.includes('blindIndex')));
      if (env.WRAPPED_CODE_HASH_KEY) expect(JSON.stringify(env.WRAPPED_CODE_HASH_KEY)).toContain('codeHashKey');
      if (env.WRAPPED_BLIND_INDEX_KEY) expect(JSON.stringify(env.WRAPPED_BLIND_INDEX_KEY)).toContain('blindIndexKey');
    }
  });

  it('keeps the wrapped HMAC keys in a parameter that outlives the stack outside dev, with only the generator allowed to write it', () => {
    const resource = (t: Template) => Object.values(t.findResources('AWS::CloudFormation::CustomResource')).find((r) => r.Properties.ParameterName)!;
    expect(resource(template).Properties).toMatchObject({ ParameterName: '/sealtext/dev/hmac-keys', Retain: 'false' });
    const { template: prod } = synthesized({ ...NO_BUNDLING, stage: 'example-prod' });
    expect(resource(prod).Properties).toMatchObject({ ParameterName: '/sealtext/example-prod/hmac-keys', Retain: 'true' });
    const ssm = roleStatements(prod).filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('ssm:')));
    expect(new Set(ssm.map((s) => s.role)).size).toBe(1);
    expect(actionsOf(ssm[0]!.statement).sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    expect(JSON.stringify(ssm[0]!.statement.Resource)).toContain('parameter/sealtext/example-prod/hmac-keys');
    // Adopting the kept key after a destroy: no new key, the same ARN everywhere.
    const kept = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template: adopted } = synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, keyArn: kept } });
    adopted.resourceCountIs('AWS::KMS::Key', 1); // the seal signing key only
    expect(resource(adopted).Properties.KeyArn).toBe(kept);
  });

  it('gives each function only the HMAC key it uses: code checks the code-hash key, number look-ups the blind-index key', () => {
    const keysOf = (name: string) => {
      const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(`Fn${name.replace(/-/g, '')}Fn`))![1];
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      return ['WRAPPED_CODE_HASH_KEY', 'WRAPPED_BLIND_INDEX_KEY'].filter((k) => k in env);
    };
    for (const name of ['verify-otp', 'open-message']) expect(keysOf(name), name).toEqual(['WRAPPED_CODE_HASH_KEY']);
    for (const name of ['get-consents', 'put-consent', 'check-provenance', 'list-audit', 'export-subject', 'erase-subject', 'inbound-sms', 'put-fraud-block', 'delete-fraud-block']) {
      expect(keysOf(name), name).toEqual(['WRAPPED_BLIND_INDEX_KEY']);
    }
    for (const name of ['issue-otp', 'resend-otp', 'send-message', 'request-open-code']) expect(keysOf(name), name).toEqual(['WRAPPED_CODE_HASH_KEY', 'WRAPPED_BLIND_INDEX_KEY']);
  });

  it('lets a subject export read only, and key-scoped reads touch only their own items (dynamodb:LeadingKeys)', () => {
    const dataStatement = (name: string) => roleStatements(template).find(({ role, statement }) => role === roleOf(template, name) && statement.Sid === 'DataTable')!.statement;
    expect(actionsOf(dataStatement('export-subject')).filter((a) => !['dynamodb:GetItem', 'dynamodb:Query'].includes(a))).toEqual([]);
    for (const [name, keys] of [['get-otp', ['OTP#*']], ['get-message', ['MSG#*']], ['recipient-page', ['LINK#*', 'MSG#*']], ['check-provenance', ['PROV#*', 'RL#provenance#*']]] as const) {
      expect(dataStatement(name).Condition, name).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });
    }
  });
});

describe('functions', () => {
  it('runs every Sealtext function on Node 24, arm64, named for its stage, in the stage\'s log group where it may write only its own streams', () => {
    const ours = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.NODE_OPTIONS === '--enable-source-maps');
    expect(ours).toHaveLength(FUNCTION_NAMES.length + 1); // + the HMAC key generator
    const groups = new Set(ours.map((f) => JSON.stringify(f.Properties.LoggingConfig.LogGroup)));
    expect(groups.size).toBe(1);
    for (const f of ours) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.FunctionName).toMatch(/^sealtext-dev-[a-z-]+$/);
    }
    for (const lg of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(lg.Properties.RetentionInDays).toBe(30);
    // issue-otp writes to streams named after itself only.
    const puts = roleStatements(template).filter(({ role, statement }) => role === roleOf(template, 'issue-otp') && actionsOf(statement).includes('logs:PutLogEvents'));
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0]!.statement.Resource)).toContain(':log-stream:*/sealtext-dev-issue-otp[*');
  });

  it('leaves room to grow: with every optional feature on, no stack holds more than 60 % of CloudFormation\'s limits', () => {
    const { stack } = synthesized({ ...NO_BUNDLING, stage: 'prod' }, {
      prod: { ...PROD, smsProvider: 'eum', manageAccountSmsSettings: true, manageApiGatewayAccount: true, archive: { categories: ['transactional'], retentionDays: 2555 }, callerApps: ['app-a', 'app-b', 'app-c', 'app-d', 'app-e'], otpWebDomain: 'example.com',
        voiceOriginationIdentity: 'pool-voice1', whatsapp: { phoneNumberId: `phone-number-id-${'0a'.repeat(16)}` }, email: { domain: 'mail.example.com', from: 'codes@mail.example.com' } },
    });
    const stacks = [stack, ...stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)];
    expect(stacks.length).toBeGreaterThan(1);
    for (const s of stacks) {
      const t = Template.fromStack(s).toJSON() as { Resources: object; Outputs?: object; Parameters?: object };
      const name = s.node.path;
      expect(Object.keys(t.Resources).length, `${name} resources`).toBeLessThanOrEqual(300); // of 500
      expect(Object.keys(t.Outputs ?? {}).length, `${name} outputs`).toBeLessThanOrEqual(120); // of 200
      expect(Object.keys(t.Parameters ?? {}).length, `${name} parameters`).toBeLessThanOrEqual(120); // of 200
      expect(JSON.stringify(t).length, `${name} template bytes`).toBeLessThanOrEqual(600_000); // of 1 MB
    }
  });

  it('caps the concurrency of the functions that spend money on SMS where the stage says, and reserves nothing a new account can\'t give', () => {
    const reserved = (t: Template) => Object.fromEntries(FUNCTION_NAMES.map((name) => [name,
      Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(`Fn${name.replace(/-/g, '')}Fn`))![1].Properties.ReservedConcurrentExecutions as number | undefined]));
    // dev: nothing reserved at all (a new account's quota is 10, and Lambda keeps that much unreserved).
    expect(Object.values(reserved(template)).filter((r) => r !== undefined)).toEqual([]);
    // The example bank: 20 for each SMS sender, nothing else (the sealer and the sweep are safe to overlap).
    const prod = reserved(synthesized({ ...NO_BUNDLING, stage: 'example-prod' }).template);
    for (const name of FUNCTION_NAMES) expect(prod[name], name).toBe(FUNCTION_NEEDS[name]!.sms ? 20 : undefined);
  });
});

describe('SMS and alarms', () => {
  const customCalls = (t: Template) => Object.values(t.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties.Create));

  it('leaves the account\'s SMS settings and API Gateway role alone unless the stage owns them', () => {
    // By default a stage changes nothing account-wide: no SMS attributes, no spend limit, no API Gateway account role.
    const { template: plain } = synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: PROD });
    expect(customCalls(plain).filter((c) => /setSMSAttributes|SpendLimit/.test(c))).toEqual([]);
    plain.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(Object.values(plain.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName)).not.toContain('sealtext-prod-SmsSpendNearLimit');
    // The owning stage sets them on every deploy (create and update).
    const { template: owner } = synthesized({ ...NO_BUNDLING, stage: 'example-prod' });
    const sns = Object.values(owner.findResources('Custom::AWS')).find((r) => JSON.stringify(r.Properties.Create).includes('setSMSAttributes'))!;
    for (const needle of ['Transactional', 'MonthlySpendLimit', '150000', 'DeliveryStatusIAMRole', 'ExampleBank']) expect(JSON.stringify(sns.Properties.Create)).toContain(needle);
    expect(sns.Properties.Update).toBeDefined();
    owner.resourceCountIs('AWS::ApiGateway::Account', 1);
    // On End User Messaging, the owner sets its text spend limit instead.
    const { template: eum } = synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, smsProvider: 'eum', manageAccountSmsSettings: true } });
    expect(customCalls(eum).some((c) => c.includes('setTextMessageSpendLimitOverride') && c.includes('150000'))).toBe(true);
    expect(customCalls(eum).some((c) => c.includes('setSMSAttributes'))).toBe(false);
  });

  it('alarms on 5xx, 4xx and this stage\'s SMS failures, every function\'s errors and throttles in folded alarms, all to the ops topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map((a) => a.Properties.AlarmName as string);
    for (const n of ['Api5xxRate', 'Api4xxRate', 'SmsFailures']) expect(names).toContain(`sealtext-dev-${n}`);
    // Each function's Errors and Throttles metric is read by exactly one folded alarm (ten per alarm at most).
    for (const [kind, metric] of [['FunctionErrors', 'Errors'], ['FunctionThrottles', 'Throttles']] as const) {
      const folded = alarms.filter((a) => (a.Properties.AlarmName as string).startsWith(`sealtext-dev-${kind}`));
      const read = folded.flatMap((a) => (a.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } } }[])
        .filter((m) => m.MetricStat?.Metric.MetricName === metric).map((m) => JSON.stringify(m.MetricStat!.Metric.Dimensions[0]!.Value)));
      for (const f of folded) expect((f.Properties.Metrics as unknown[]).length).toBeLessThanOrEqual(11);
      expect(read).toHaveLength(FUNCTION_NAMES.length);
      expect(new Set(read).size).toBe(FUNCTION_NAMES.length);
    }
    expect(alarms.length).toBeLessThan(50);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toHaveLength(1);
      expect((a.Properties.AlarmDescription as string).length).toBeGreaterThan(40);
    }
    const spend = Object.values(synthesized({ ...NO_BUNDLING, stage: 'example-prod' }).template.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.AlarmName === 'sealtext-example-prod-SmsSpendNearLimit')!;
    expect(spend.Properties).toMatchObject({ Threshold: 120_000, Namespace: 'AWS/SNS', MetricName: 'SMSMonthToDateSpentUSD' });
  });

  it('reads only this stage\'s own metrics: every Sealtext metric an alarm or the dashboard uses carries the stage', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const sealtextMetrics = alarms.flatMap((a) => [
      ...(a.Properties.Namespace === 'Sealtext' ? [a.Properties.Dimensions as { Name: string; Value: string }[]] : []),
      ...((a.Properties.Metrics ?? []) as { MetricStat?: { Metric: { Namespace: string; Dimensions: { Name: string; Value: string }[] } } }[])
        .filter((m) => m.MetricStat?.Metric.Namespace === 'Sealtext').map((m) => m.MetricStat!.Metric.Dimensions),
    ]);
    expect(sealtextMetrics.length).toBeGreaterThan(10);
    for (const dims of sealtextMetrics) expect(dims).toEqual(expect.arrayContaining([{ Name: 'stage', Value: 'dev' }]));
    // No alarm reads an account-wide SMS metric unless the stage owns the account's SMS settings.
    expect(JSON.stringify(alarms)).not.toMatch(/AWS\/SNS|AWS\/SMSVoice/);
  });
});

describe('fraud alarms', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  const byName = (id: string) => alarms.find((a) => a.Properties.AlarmName === `sealtext-dev-${id}`)!;

  it('deploys every fraud rule the simulator evaluates, with its metric, threshold and the ops action', () => {
    for (const rule of fraudRules()) {
      const alarm = byName(rule.id);
      expect(alarm, rule.id).toBeDefined();
      expect(alarm.Properties.AlarmDescription).toBe(rule.description);
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      const metrics = JSON.stringify(alarm.Properties.Metrics ?? { name: alarm.Properties.MetricName });
      if (rule.kind === 'threshold') {
        expect(alarm.Properties).toMatchObject({ MetricName: rule.metric.name, Namespace: 'Sealtext', Statistic: 'Sum', Threshold: rule.threshold, Period: rule.periodSeconds });
      } else if (rule.kind === 'ratio') {
        expect(metrics).toContain(`IF(sent >= ${rule.minDenominator}, approved / sent, 1)`);
        expect(metrics).toContain(rule.numerator.name);
        expect(metrics).toContain(rule.denominator.name);
        expect(alarm.Properties).toMatchObject({ Threshold: rule.below, ComparisonOperator: 'LessThanThreshold' });
      } else {
        expect(metrics).toContain(`ANOMALY_DETECTION_BAND(m0, ${rule.bandWidth})`);
        expect(metrics).toContain(rule.metric.name);
        expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanUpperThreshold');
      }
    }
  });

  it('notifies ops and pauses nothing: no function listens on the ops topic, only ops routes write blocks', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter((s) => s.Properties.Protocol === 'lambda');
    expect(subscriptions).toHaveLength(1); // inbound SMS only
    for (const name of FUNCTION_NAMES) expect(FUNCTION_NEEDS[name], name).not.toHaveProperty('brake');
    expect(FUNCTION_NAMES).not.toContain('trip-brake');
    // The data-access side is watched too.
    for (const id of ['SubjectExportSpike', 'AuditReadSpike', 'AuthRefusedSpike']) expect(byName(id), id).toBeDefined();
    expect(byName('SubjectExportSpike').Properties).toMatchObject({ MetricName: 'SubjectExported', Period: 3600 });
  });

  it('gives the fraud routes the fraud.manage scope and least privilege', () => {
    const routes = ROUTES.filter((r) => r.path.startsWith('/v1/fraud/'));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['DELETE /v1/fraud/blocks/{kind}/{key}', 'GET /v1/fraud/blocks', 'PUT /v1/fraud/blocks']);
    expect(routes.every((r) => r.scope === SCOPES.fraudManage)).toBe(true);
    const actions = (name: string) => roleStatements(template).filter((s) => s.role === roleOf(template, name)).flatMap((s) => actionsOf(s.statement));
    expect(actions('list-fraud-blocks')).not.toContain('dynamodb:PutItem');
    // Listing needs no key material: its only KMS use is the tables' own encryption, through DynamoDB.
    const direct = roleStatements(template).filter((x) => x.role === roleOf(template, 'list-fraud-blocks') && actionsOf(x.statement).some((a) => a.startsWith('kms:')) && !x.statement.Condition?.StringLike?.['kms:ViaService']);
    expect(direct).toEqual([]);
    expect(actions('put-fraud-block')).not.toContain('sns:Publish');
  });
});

describe('stage settings', () => {
  it('retains data and protects tables outside dev', () => {
    const { template: prod } = synthesized({ ...NO_BUNDLING, stage: 'example-prod' });
    const tables = prod.findResources('AWS::DynamoDB::Table');
    for (const t of Object.values(tables)) {
      expect(t.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(t.UpdateReplacePolicy).toBe('Retain');
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
    }
    // Nothing is plainly retained: a failed first create removes what it made (no orphans to collide with the retry).
    const plainRetain = Object.entries(prod.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>).filter(([, r]) => r.DeletionPolicy === 'Retain').map(([id, r]) => `${r.Type} ${id}`);
    expect(plainRetain).toEqual([]);
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sealtext-ops@example.com' });
    prod.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ALLOWED_COUNTRIES: 'GB' }) } });
  });

  it('gives nothing it keeps after a destroy a fixed name: the next stack (or a retry) can always create its own', () => {
    const { template: prod } = synthesized({ ...NO_BUNDLING, stage: 'example-prod' });
    const kept = Object.entries(prod.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>)
      .filter(([, r]) => r.DeletionPolicy && r.DeletionPolicy !== 'Delete');
    // The loop below has something to check: every kind of thing a stage keeps is among them.
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::Cognito::UserPool', 'AWS::SQS::Queue']) expect(kept.map(([, r]) => r.Type), type).toContain(type);
    expect(kept.length).toBeGreaterThan(15);
    const NAME = /^(LogGroupName|TableName|BucketName|TopicName|QueueName|Name|AliasName|UserPoolName|KeyName)$/;
    for (const [id, r] of kept) {
      for (const [prop, value] of Object.entries(r.Properties ?? {}).filter(([k]) => NAME.test(k))) {
        // A name is fine only if it carries the stack's own id (unique per stack, never reused).
        expect(JSON.stringify(value), `${r.Type} ${id}.${prop}`).toContain('AWS::StackId');
      }
    }
  });

  it('reads a stage from its committed file, in its own region and account', () => {
    const { stack, settings } = synthesized({ ...NO_BUNDLING, stage: 'example-prod' });
    expect(stack.region).toBe('eu-west-2');
    expect(settings.expectedCodesPerDay).toBe(100_000);
    const { stack: pinned } = synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, account: '111122223333' } });
    expect(pinned.account).toBe('111122223333');
  });

  it('outside dev, wants the file, the values a first day depends on, and nothing on the command line', () => {
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod' })).toThrow(/stages\/prod\.json: missing.*example-prod\.json/s);
    const missing = () => synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { allowedCountries: ['GB'] } });
    for (const k of ['region', 'alarmEmail', 'smsMonthlySpendLimitUsd', 'expectedCodesPerDay', 'smsFunctionConcurrency']) expect(missing).toThrow(new RegExp(`prod\\.json › ${k}: required outside dev`));
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod', alarmEmail: 'x@example.com' }, { prod: PROD })).toThrow(/-c alarmEmail: set it in .*prod\.json instead/);
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, allowedCountries: [] } })).toThrow(/allowedCountries: name at least one country/);
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, smsMonthlySpendLimitUSD: 5 } })).toThrow(/prod\.json › smsMonthlySpendLimitUSD: not a Sealtext setting \(did you mean smsMonthlySpendLimitUsd\?\)/);
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, region: 'europe' } })).toThrow(/prod\.json › region: an AWS region code/);
    // A file that is not JSON names itself, not a bare SyntaxError.
    const dir = mkdtempSync(join(tmpdir(), 'stages-'));
    writeFileSync(join(dir, 'prod.json'), '{ "region": "eu-west-2", }');
    expect(() => buildApp({ stage: 'prod', 'aws:cdk:bundling-stacks': [] }, { stagesDir: dir })).toThrow(/prod\.json: not valid JSON/);
  });

  it('sizes the shared windows from the expected volume and refuses limits or a spend limit that the volume would break', () => {
    const env = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function')).map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, string>).find((v) => v.RATE_LIMITS);
    // 100,000 a day: 12,500 sends in the busiest hour (3× the average, resends a quarter more), 521 in its busiest minute.
    expect(JSON.parse(env(synthesized({ ...NO_BUNDLING, stage: 'example-prod' }).template)!.RATE_LIMITS!)).toEqual({
      country: { limit: 15_700, windowSeconds: 3_600 }, client: { limit: 530, windowSeconds: 60 },
    });
    // The local defaults stand for a small volume: nothing sized, nothing passed.
    expect(env(synthesized({ ...NO_BUNDLING }).template)).toBeUndefined();
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, rateLimits: { country: { limit: 1_000, windowSeconds: 3_600 } } } }))
      .toThrow(/prod\.json › rateLimits\.country: 1000 per 3600 s refuses the expected peak/);
    // The documented command once left $1 for a bank's 3 million texts.
    expect(() => synthesized({ ...NO_BUNDLING, stage: 'prod' }, { prod: { ...PROD, smsMonthlySpendLimitUsd: 1 } })).toThrow(/smsMonthlySpendLimitUsd: 1 USD can't pay for the 3,800,000 SMS a month/);
  });

  it('fails the synth with a clear message on a bad value', () => {
    expect(() => synthesized({ ...NO_BUNDLING, allowedCountries: 'uk' })).toThrow(/-c allowedCountries.*ISO 3166/s);
    expect(() => synthesized({ ...NO_BUNDLING, logRetentionDays: 42 })).toThrow(/-c logRetentionDays/);
    expect(() => synthesized({ ...NO_BUNDLING, callerApps: '[{"name":"web","scopes":["otp.sned"]}]' })).toThrow(/callerApps/);
  });

  it('refuses a misspelt setting instead of ignoring it, and suggests the right name', () => {
    // smsMonthlySpendLimitUSD used to parse and leave the spend limit at $1.
    expect(() => synthesized({ ...NO_BUNDLING, smsMonthlySpendLimitUSD: 500 })).toThrow(/-c smsMonthlySpendLimitUSD: not a Sealtext setting \(did you mean smsMonthlySpendLimitUsd\?\)/);
    expect(() => synthesized({ ...NO_BUNDLING, alarmEmial: 'ops@example.com' })).toThrow(/-c alarmEmial: not a Sealtext setting \(did you mean alarmEmail\?\)/);
    // CDK's own keys (feature flags, aws:cdk:..., lookups) are not settings and pass.
    expect(() => synthesized({ ...NO_BUNDLING, 'availability-zones:account=1:region=eu-west-2': ['a'] })).not.toThrow();
  });

  it('names the setting whose JSON is broken, and says what a caller app may be', () => {
    // What bash leaves of an unquoted -c rateLimits={"client":{...}}: not JSON, and no bare SyntaxError.
    expect(() => synthesized({ ...NO_BUNDLING, rateLimits: '{client:{limit:600,windowSeconds:60}}' })).toThrow(/-c rateLimits: Not valid JSON .*quote the whole value/s);
    expect(() => synthesized({ ...NO_BUNDLING, allowedCountries: '["GB",' })).toThrow(/-c allowedCountries: Not valid JSON/);
    expect(() => synthesized({ ...NO_BUNDLING, callerApps: '["Web App"]' })).toThrow(/-c callerApps\.0: Each caller app is a name .*with scopes among .*otp\.send/s);
  });

  it('outputs everything an operator or a script needs, each app client id included', () => {
    const { template: t } = synthesized({ ...NO_BUNDLING, callerApps: '["web","back-office"]' });
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    for (const id of ['Stage', 'UserPoolId', 'TokenUrl', 'DataTable', 'AuditTable', 'IdempotencyTable', 'KeyArn', 'SealSigningKeyArn', 'SealBucket', 'InboundTopicArn', 'OpsTopicArn', 'EventBusName', 'ClientIdWeb', 'ClientIdBackOffice']) {
      expect(outputs[id], id).toBeDefined();
      expect(outputs[id]!.Description, id).toBeTruthy();
    }
    expect(JSON.stringify(outputs.TokenUrl!.Value)).toContain('/oauth2/token');
    expect(JSON.stringify(outputs.ClientIdWeb!.Value)).toMatch(/HttpClientsAppweb/);
    // An output holds names and ARNs only: never a secret or the wrapped HMAC keys.
    expect(JSON.stringify(outputs)).not.toMatch(/ClientSecret|codeHashKey|blindIndexKey/);
    expect(outputs.ArchiveBucket).toBeUndefined();
    expect((synthesized({ ...NO_BUNDLING, archive: '{"categories":["transactional"],"retentionDays":30}' }).template.toJSON().Outputs as Record<string, unknown>).ArchiveBucket).toBeDefined();
  });

  it('creates one client-credentials app client per calling app, with the scopes it names', () => {
    const { template: t } = synthesized({ ...NO_BUNDLING, callerApps: '[{"name":"web","scopes":["otp.send","otp.verify"]},"back-office"]' });
    const clients = Object.values(t.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients.map((c) => c.Properties.ClientName).sort()).toEqual(['sealtext-dev-back-office', 'sealtext-dev-web']);
    const web = clients.find((c) => c.Properties.ClientName === 'sealtext-dev-web')!;
    expect(JSON.stringify(web.Properties.AllowedOAuthScopes)).toContain('otp.verify');
    expect(JSON.stringify(web.Properties.AllowedOAuthScopes)).not.toContain('messages.send');
  });
});
