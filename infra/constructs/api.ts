import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat, AuthorizationType, CfnRestApi, CognitoUserPoolsAuthorizer, EndpointType, LambdaIntegration, LogGroupLogDestination,
  MethodLoggingLevel, RequestValidator, ResponseType, RestApi, type IModel, type JsonSchema,
} from 'aws-cdk-lib/aws-apigateway';
import { Mfa, OAuthScope, ResourceServerScope, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as z from '#shared/zod';
import { metaOf } from '#shared/schema';
import { ALL_SCOPES } from '#shared/http/scopes';
import { ROUTES } from '../routes.ts';
import type { StageSettings } from '../settings.ts';

const TLS_POLICY = 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09';

/**
 * Access log fields, written out: the route's template (`$context.resourcePath`, e.g.
 * `/v1/subjects/{phone}`), never the path or query as sent, which can hold a number or a link token.
 */
const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  clientId: '$context.authorizer.claims.client_id',
  wafStatus: '$context.waf.status',
};
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));

/** What WAF logs leave out: the URI and query (numbers, link tokens) and the bearer token. */
const WAF_REDACTED_FIELDS: CfnLoggingConfiguration.FieldToMatchProperty[] = [
  { uriPath: {} },
  { queryString: {} },
  { singleHeader: { Name: 'authorization' } },
];

/** The gateway's own refusals, in the same problem+json shape and with the same codes as the functions'. */
const GATEWAY_PROBLEMS: { type: ResponseType; status: string; code: string; title: string }[] = [
  { type: ResponseType.UNAUTHORIZED, status: '401', code: 'unauthorized', title: 'A valid bearer token is required' },
  { type: ResponseType.ACCESS_DENIED, status: '403', code: 'insufficient_scope', title: 'The token does not grant this operation' },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', code: 'not_found', title: 'Not found' },
  { type: ResponseType.BAD_REQUEST_BODY, status: '400', code: 'validation_failed', title: 'The request is not valid' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, status: '400', code: 'validation_failed', title: 'The request is not valid' },
  { type: ResponseType.REQUEST_TOO_LARGE, status: '413', code: 'payload_too_large', title: 'The request body is too large' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, status: '415', code: 'unsupported_media_type', title: 'Send the request body as application/json' },
  { type: ResponseType.THROTTLED, status: '429', code: 'rate_limited', title: 'Too many requests; try again later' },
  { type: ResponseType.WAF_FILTERED, status: '403', code: 'request_blocked', title: 'The request was blocked' },
  { type: ResponseType.DEFAULT_5XX, status: '502', code: 'internal_error', title: 'Internal error' },
];

export type ApiProps = {
  settings: StageSettings;
  functions: Record<string, IFunction>;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
};

/**
 * REST API (regional) with the routes of infra/routes.ts, the Cognito authorizer with the route's
 * scope on every method, request validation from the zod schemas, stage throttling, JSON access
 * logs (no bodies), problem+json gateway responses, and AWS WAF in front.
 */
export class SealtextApi extends Construct {
  readonly api: RestApi;
  readonly userPool: UserPool;
  readonly webAcl: CfnWebACL;
  /** On the Cognito user pool: the token endpoint. */
  readonly tokenWebAcl: CfnWebACL;
  /** The OAuth token endpoint calling apps get their tokens from. */
  readonly tokenUrl: string;
  /** The Cognito app client id of each calling app, by app name. */
  readonly clientIds: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { settings } = props;
    const stack = Stack.of(this);

    // Cognito: machine-to-machine only (client credentials); no person ever signs in to this pool.
    this.userPool = new UserPool(this, 'Clients', {
      selfSignUpEnabled: false,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 16, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      removalPolicy: props.removalPolicy,
      deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG3',
        reason: 'No users: the pool only issues client-credentials tokens to calling apps, so user threat protection has nothing to protect.',
      },
      { id: 'AwsSolutions-COG8', reason: 'The Plus feature plan adds user threat protection, which a pool without users cannot use; it would only add cost.' },
    );
    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: `sealtext-${settings.stage}-${stack.account}` } });
    this.tokenUrl = `${domain.baseUrl()}/oauth2/token`;
    const resourceServer = this.userPool.addResourceServer('P2a', {
      identifier: 'p2a',
      scopes: ALL_SCOPES.map((s) => new ResourceServerScope({ scopeName: s.slice(4), scopeDescription: s })),
    });
    for (const app of settings.callerApps) {
      this.clientIds[app.name] = this.userPool.addClient(`App-${app.name}`, {
        userPoolClientName: `sealtext-${settings.stage}-${app.name}`,
        generateSecret: true,
        authFlows: {},
        accessTokenValidity: Duration.hours(1),
        oAuth: {
          flows: { clientCredentials: true },
          scopes: app.scopes.map((s) => OAuthScope.resourceServer(resourceServer, new ResourceServerScope({ scopeName: s.slice(4), scopeDescription: s }))),
        },
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
      }).userPoolClientId;
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.api = new RestApi(this, 'Api', {
      restApiName: `sealtext-${settings.stage}`,
      description: 'Sealtext HTTP API v1',
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway's CloudWatch role is one per account and region (AWS::ApiGateway::Account): only the
      // stage that owns it sets it; the others rely on it being there (docs/deploy.md).
      cloudWatchRole: settings.manageApiGatewayAccount,
      ...(settings.manageApiGatewayAccount ? { cloudWatchRoleRemovalPolicy: props.removalPolicy } : {}),
      deployOptions: {
        stageName: settings.stage,
        // Protects the service (all clients together); each client's own limit is the app's `client` window.
        throttlingRateLimit: settings.apiThrottle.rateLimit,
        throttlingBurstLimit: settings.apiThrottle.burstLimit,
        methodOptions: Object.fromEntries(Object.entries(settings.methodThrottles).map(([key, t]) => {
          const [method, path] = key.split(' ') as [string, string];
          return [`${path}/${method}`, { throttlingRateLimit: t.rateLimit, throttlingBurstLimit: t.burstLimit }];
        })),
        // Execution logs carry errors only, never request or response bodies (numbers, codes).
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // X-Ray would record every request's full URL, and 1.0 routes carry numbers and link tokens there.
        tracingEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
      disableExecuteApiEndpoint: false,
    });
    // TLS 1.2 minimum (1.3 preferred, forward secrecy) on the API's own endpoint.
    (this.api.node.defaultChild as CfnRestApi).securityPolicy = TLS_POLICY;
    // An enhanced (SecurityPolicy_*) policy needs an endpoint access mode: STRICT refuses requests
    // that arrive through another endpoint type or with a host that does not match the SNI.
    (this.api.node.defaultChild as CfnRestApi).endpointAccessMode = 'STRICT';
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'API Gateway account-level logging role: AWS managed AmazonAPIGatewayPushToCloudWatchLogs is the documented policy.',
    });

    for (const p of GATEWAY_PROBLEMS) {
      this.api.addGatewayResponse(`Problem${p.type.responseType}`, {
        type: p.type,
        statusCode: p.status,
        responseHeaders: {
          'Content-Type': "'application/problem+json'",
          'Cache-Control': "'no-store'",
          'X-Content-Type-Options': "'nosniff'",
          'Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
        },
        templates: {
          'application/json': JSON.stringify({ type: 'about:blank', title: p.title, status: Number(p.status), code: p.code }),
        },
      });
    }

    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [this.userPool] });
    const validator = new RequestValidator(this, 'Validator', { restApi: this.api, validateRequestBody: true, validateRequestParameters: true });
    const models = new Map<z.ZodMiniType, IModel>();
    const modelFor = (schema: z.ZodMiniType) => {
      let model = models.get(schema);
      if (!model) {
        const { $schema: _drop, ...json } = z.toJSONSchema(schema, { target: 'draft-4', io: 'input', metadata: z.registry(), unrepresentable: 'any' }) as Record<string, unknown>;
        model = this.api.addModel(String(metaOf(schema)?.id ?? `Model${models.size}`), {
          contentType: 'application/json',
          schema: { schema: 'http://json-schema.org/draft-04/schema#' as never, ...(json as JsonSchema) },
        });
        models.set(schema, model);
      }
      return model;
    };

    // A function serving several routes gets one invoke permission for this API rather than one per
    // method (each is a resource in a stack near CloudFormation's budget); a one-route function keeps
    // its permission scoped to its method.
    const routesOf = (fn: string) => ROUTES.filter((r) => r.fn === fn).length;
    for (const route of ROUTES) {
      const fn = props.functions[route.fn];
      if (!fn) throw new Error(`No function for route ${route.method} ${route.path}`);
      const hasParams = route.path.includes('{');
      // Body-less POSTs (resend) need no model: the function reads an absent body as {}.
      const bodyModel = route.request && route.method !== 'GET' && route.request.safeParse({}).success === false ? modelFor(route.request) : undefined;
      const auth =
        route.scope === 'public'
          ? { authorizationType: AuthorizationType.NONE }
          : { authorizationType: AuthorizationType.COGNITO, authorizer, authorizationScopes: [route.scope] };
      // No test-invoke permission: the console's test button is not a production path (and each is one resource more).
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, new LambdaIntegration(fn, routesOf(route.fn) > 1 ? { scopePermissionToMethod: false } : { allowTestInvoke: false }), {
        ...auth,
        requestValidator: validator,
        ...(bodyModel ? { requestModels: { 'application/json': bodyModel } } : {}),
        ...(hasParams ? { requestParameters: Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => [`method.request.path.${m[1]}`, true])) } : {}),
      });
      if (route.scope === 'public') {
        const reason = 'Recipient route: the 256-bit link token in the path is the capability (only its hash is stored); its own WAF rate rule, per-message code and attempt limits apply.';
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
      }
    }

    this.webAcl = new CfnWebACL(this, 'Waf', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `sealtext-${settings.stage}-waf`, sampledRequestsEnabled: false },
      rules: [
        {
          // The authenticated routes: per bearer token (one client), never per IP, because one
          // backend address carries all of a business's users.
          name: 'RatePerClient',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: settings.wafRequestsPerClientPer5Min,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              evaluationWindowSec: 300,
              scopeDownStatement: { notStatement: { statement: RECIPIENT_PATHS } },
            },
          },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'RatePerClient', sampledRequestsEnabled: false },
        },
        {
          // The recipient routes carry no bearer token: a tighter budget per IP.
          name: 'RecipientRatePerIp',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: settings.wafRecipientRequestsPerIpPer5Min,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: RECIPIENT_PATHS,
            },
          },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'RecipientRatePerIp', sampledRequestsEnabled: false },
        },
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, [
          // Our own limit is 16 KiB, enforced by the function; the group's 8 KB body rule would cut messages short.
          { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
        ]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3, []),
      ],
    });
    new CfnWebACLAssociation(this, 'WafAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: this.webAcl.attrArn });
    // WAF logs (the name must start with aws-waf-logs-), with URI, query and bearer token redacted;
    // sampled requests are off on every rule, as samples show the full URI.
    // The stack id's UUID in the name: a group kept after a destroy can't collide with the next stack's.
    const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
    const wafLogs = new LogGroup(this, 'WafLogs', { logGroupName: `aws-waf-logs-${stack.stackName}-${stackUuid}`, retention: props.logRetention, removalPolicy: props.removalPolicy });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: WAF_REDACTED_FIELDS,
    });

    // The token endpoint (Cognito's domain) is the other route a stranger can reach without a token.
    this.tokenWebAcl = new CfnWebACL(this, 'TokenWaf', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `sealtext-${settings.stage}-token-waf`, sampledRequestsEnabled: false },
      rules: [
        {
          name: 'TokenRatePerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: settings.wafTokenRequestsPerIpPer5Min, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'TokenRatePerIp', sampledRequestsEnabled: false },
        },
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 1, []),
      ],
    });
    new CfnWebACLAssociation(this, 'TokenWafAssociation', { resourceArn: this.userPool.userPoolArn, webAclArn: this.tokenWebAcl.attrArn });
  }
}

/** The recipient routes (`/m/{token}...`, and the unsubscribe links `/u/{token}`), with or without the stage prefix in the path. */
const RECIPIENT_PATHS: CfnWebACL.StatementProperty = {
  regexMatchStatement: {
    fieldToMatch: { uriPath: {} },
    regexString: '^(/[^/]+)?/(m|u)/',
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};

function managedRuleGroup(name: string, priority: number, ruleActionOverrides: CfnWebACL.RuleActionOverrideProperty[]): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ...(ruleActionOverrides.length ? { ruleActionOverrides } : {}) } },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: false },
  };
}
