import { z } from 'zod';
import { ALL_SCOPES } from '#shared/http/scopes';
import { LimitName, LimitRule } from '#shared/ratelimit/limits';
import { spendProblems, stageLimits } from './sizing.ts';

/**
 * Stage settings: committed in `stages/<stage>.json` and chosen with `-c stage=<stage>`, with
 * defaults and strict validation. A bad value fails the synth with a message naming the setting and
 * where it came from. docs/deploy.md lists every setting.
 */
/** JSON given on the command line; bad JSON is an issue of the setting it was given for, not a bare SyntaxError. */
function parseJsonSetting(text: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `Not valid JSON (${(error as Error).message}); in bash, quote the whole value: -c 'name={...}'` });
    return z.NEVER;
  }
}

const jsonOr = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    const s = v.trim();
    return s.startsWith('[') || s.startsWith('{') ? parseJsonSetting(s, ctx) : v;
  }, schema);

const list = z.preprocess(
  (v, ctx) => (typeof v === 'string' ? (v.trim().startsWith('[') ? parseJsonSetting(v, ctx) : v.split(',').map((x) => x.trim()).filter(Boolean)) : v),
  z.array(z.string()),
);

const ShortScope = z.enum(ALL_SCOPES.map((s) => s.replace(/^p2a\//, '')) as [string, ...string[]]);
const CALLER_APP_FORMS = `a name (a lowercase letter, then lowercase letters, digits or -; 2 to 40 characters) or { "name": ..., "scopes": [...] } with scopes among ${ShortScope.options.join(', ')}`;
const CallerApp = z.union([
  z.string().regex(/^[a-z][a-z0-9-]{1,39}$/).transform((name) => ({ name, scopes: [...ALL_SCOPES] as string[] })),
  z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/),
    scopes: z.array(ShortScope).min(1).transform((s) => s.map((x) => `p2a/${x}`)),
  }),
], { error: `Each caller app is ${CALLER_APP_FORMS}` });

/** true/false in a stage file, or the text on the command line. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const StageSettings = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'lowercase letters, digits and dashes, at most 20').default('dev'),
  /** The AWS region the stage deploys to; required outside dev (an unset region silently means us-east-1 or whatever the shell has). */
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region code, e.g. eu-west-2').optional(),
  /** The AWS account the stage belongs to: a deploy with another account's credentials fails instead of building a second copy there. */
  account: z.string().regex(/^\d{12}$/, '12 digits').optional(),
  /**
   * The stage's kept customer managed key, to adopt when redeploying after a destroy (the key, the
   * tables, the archives and the HMAC keys outlive the stack outside dev; docs/operations.md).
   */
  keyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)').optional(),
  /** Codes (and sealed messages) expected on an ordinary day; sizes the shared rate-limit windows (infra/sizing.ts). Required outside dev. */
  expectedCodesPerDay: z.coerce.number().int().min(1).max(100_000_000).default(1_000),
  /**
   * Whether this stage owns the account's SMS settings in its region (SNS: spend limit, default
   * type, delivery-status logging, sender id; End User Messaging: the text spend limit). They are
   * account-wide: one stage per account and region may own them, and by default none does.
   */
  manageAccountSmsSettings: flag.default(false),
  /**
   * Whether this stage sets API Gateway's CloudWatch role for the account and region
   * (AWS::ApiGateway::Account), which access logging needs: one per account and region, so one stage
   * owns it (the first deployed; stages/dev.json does) and by default none does.
   */
  manageApiGatewayAccount: flag.default(false),
  alarmEmail: z.email().optional(),
  /** ISO 3166 alpha-2 codes; none by default: ops name the countries they text. */
  allowedCountries: list.pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, upper case, e.g. GB'))).default([]),
  smsSenderId: z.string().regex(/^[A-Za-z0-9]{1,11}$/, '1 to 11 letters and digits').optional(),
  smsMonthlySpendLimitUsd: z.coerce.number().int().min(1).max(1_000_000).default(1),
  callerApps: jsonOr(z.array(CallerApp).min(1)).default([{ name: 'default-app', scopes: [...ALL_SCOPES] }]),
  logRetentionDays: z.coerce
    .number()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), `one of ${RETENTION_DAYS.join(', ')}`)
    .default(30),
  /** Per-limit overrides of the built-in rate limits (docs/limits.md). */
  rateLimits: jsonOr(z.partialRecord(LimitName, LimitRule)).optional(),
  /** WAF: requests per IP per 5 minutes to the recipient routes (/m/...), which have no bearer token. */
  wafRecipientRequestsPerIpPer5Min: z.coerce.number().int().min(10).max(2_000_000_000).default(100),
  /** WAF on the Cognito token endpoint: requests per IP per 5 minutes (apps cache their tokens for an hour). */
  wafTokenRequestsPerIpPer5Min: z.coerce.number().int().min(10).max(2_000_000_000).default(300),
  /**
   * WAF on the authenticated routes: requests per bearer token per 5 minutes. Per client, never per
   * IP: one backend address carries all of a business's users.
   */
  wafRequestsPerClientPer5Min: z.coerce.number().int().min(100).max(2_000_000_000).default(150_000),
  /** API Gateway stage throttling (all clients together): steady requests per second and burst. */
  apiThrottle: jsonOr(z.strictObject({ rateLimit: z.number().positive().max(100_000), burstLimit: z.number().int().min(1).max(100_000) })).default({ rateLimit: 1_000, burstLimit: 2_000 }),
  /** Per-method throttling, e.g. {"POST /v1/otp":{"rateLimit":300,"burstLimit":600}}; methods not named use apiThrottle. */
  methodThrottles: jsonOr(
    z.record(
      z.string().regex(/^(GET|POST|PUT|DELETE) \/[\w{}/.-]*$/, 'keys like "POST /v1/otp"'),
      z.strictObject({ rateLimit: z.number().positive().max(100_000), burstLimit: z.number().int().min(1).max(100_000) }),
    ),
  ).default({ 'POST /v1/otp': { rateLimit: 500, burstLimit: 1_000 }, 'POST /v1/messages': { rateLimit: 200, burstLimit: 400 } }),
  /** Where recipients open sealed messages (`<url>/m/<token>`); default: the API stage URL. Set it with a custom domain. */
  publicBaseUrl: z.url().optional(),
  /** Fraud alarm thresholds (docs/fraud.md), JSON overrides of the defaults. */
  fraudThresholds: jsonOr(
    z.strictObject({
      pumpingMinSent: z.number().int().positive(),
      pumpingMaxConversion: z.number().positive().max(1),
      failedVerifySpike: z.number().int().positive(),
      lockedSpike: z.number().int().positive(),
      rateLimitedSpike: z.number().int().positive(),
      refusedSpike: z.number().int().positive(),
      exportSpike: z.number().int().positive(),
      auditReadSpike: z.number().int().positive(),
      authRefusedSpike: z.number().int().positive(),
    }).partial(),
  ).default({}),
  /** Days audit events are kept (DynamoDB TTL on the audit table). */
  auditRetentionDays: z.coerce.number().int().min(30).max(3653).default(400),
  /**
   * Reserved concurrency of each function that sends SMS (five of them), a cap on runaway spend; 0
   * (dev's default) reserves nothing, which a new account (concurrency quota 10) needs. Required
   * outside dev; docs/operations.md "Concurrency" gives the ceilings.
   */
  smsFunctionConcurrency: z.coerce.number().int().min(0).max(1000).default(0),
  /**
   * Who texts: `sns` (default: SNS to phone numbers, delivery status logs for receipts) or `eum`
   * (AWS End User Messaging SMS: registered origination identities, a configuration set, optional
   * Protect; receipts from its EventBridge events). docs/delivery.md compares them.
   */
  smsProvider: z.enum(['sns', 'eum', 'notify']).default('sns'),
  /**
   * `smsProvider: notify`: End User Messaging Notify for codes (AWS-managed numbers and approved
   * templates; no registered origination identity needed), through this Notify configuration; by
   * call too with `voice`; `templates` names one per locale (else the configuration's default).
   * Everything else (sealed-message notices, open codes, HELP) goes through End User Messaging SMS.
   */
  notify: jsonOr(z.strictObject({
    configurationId: z.string().regex(/^[A-Za-z0-9_:/-]{1,256}$/),
    voice: z.boolean().default(false),
    templates: z.strictObject({ en: z.string().min(1).max(256).optional(), de: z.string().min(1).max(256).optional() }).default({}),
  })).optional(),
  /** End User Messaging: the phone number, sender id or pool ARN/id to send from (else the account default). */
  eumOriginationIdentity: z.string().min(1).max(256).optional(),
  /** End User Messaging: a Protect configuration id (country and AIT filtering before the carrier). */
  eumProtectConfigurationId: z.string().min(1).max(256).optional(),
  /**
   * Voice codes (API 1.2 `channel: "voice"`, "call me instead"): the voice-capable End User
   * Messaging phone number or pool (ARN or id) calls come from. Needs `smsProvider: eum` (its
   * configuration set carries the call events). Unset: voice is `channel_unavailable`.
   */
  voiceOriginationIdentity: z.string().min(1).max(256).optional(),
  /**
   * WhatsApp codes (API 1.2): the number linked in End User Messaging Social (`phone-number-id-…`),
   * Meta's API version, and the prefix of the approved authentication templates
   * (`<templatePrefix>_<locale>`, `npm run whatsapp:templates`). Unset: WhatsApp is `channel_unavailable`.
   */
  /**
   * E-mail codes (API 1.2): the domain the stack makes an SES identity of (Easy DKIM: put the three
   * CNAME records of the stack's outputs in its DNS) and the From address, at that domain. Unset:
   * e-mail is `channel_unavailable`.
   */
  email: jsonOr(z.strictObject({
    domain: z.string().regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain such as mail.example.com'),
    from: z.string().min(3).max(320),
  })).optional(),
  whatsapp: jsonOr(z.strictObject({
    phoneNumberId: z.string().regex(/^phone-number-id-[0-9a-f]{32}$/, 'the id End User Messaging Social shows for the linked number: phone-number-id- and 32 hex digits'),
    metaApiVersion: z.string().regex(/^v\d{2}\.\d$/).default('v20.0'),
    templatePrefix: z.string().regex(/^[a-z0-9_]{1,60}$/).default('sealtext_code'),
    /** Sealed messages' notices: an approved utility template, body {{1}} brand and {{2}} until, a URL button `<publicBaseUrl>/m/{{1}}` (docs/channels.md). */
    noticeTemplate: z.string().regex(/^[a-z0-9_]{1,60}$/).default('sealtext_notice'),
    /** `direct` messages: an approved utility template, body "{{1}}: {{2}}" (brand, the message). */
    directTemplate: z.string().regex(/^[a-z0-9_]{1,60}$/).default('sealtext_message'),
  })).optional(),
  /** The retention archive: which message categories, for how many days (S3 Object Lock, compliance). None by default. */
  archive: jsonOr(z.strictObject({ categories: z.array(z.enum(['transactional', 'promotional'])).min(1), retentionDays: z.number().int().min(1).max(36_500) })).optional(),
  /** Where a free message body is refused for an approved template (`403 template_required`). */
  requireApprovedTemplates: z.enum(['none', 'promotional', 'all']).default('promotional'),
  /** Origin-bound codes (WebOTP): the domain in the SMS's last line. */
  otpWebDomain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/).optional(),
});
export type StageSettings = z.infer<typeof StageSettings>;

/** A stage's settings are wrong: every problem on a line of its own, each naming its setting and where it came from. */
export class StageSettingsError extends Error {
  constructor(stage: string, lines: readonly string[]) {
    super(`Invalid Sealtext stage settings for ${stage}:\n${lines.join('\n')}`);
    this.name = 'StageSettingsError';
  }
}

/** What outside dev must be written down rather than left to a default. */
const REQUIRED_OUTSIDE_DEV = ['region', 'alarmEmail', 'allowedCountries', 'smsMonthlySpendLimitUsd', 'expectedCodesPerDay', 'smsFunctionConcurrency'] as const;

/** Where a stage's settings came from, for messages: its file, or the command line. */
export type SettingsSource = { file?: { path: string; settings: Record<string, unknown> }; context: Record<string, unknown> };

/**
 * Reads a stage's settings and throws one readable error listing every problem. The stage's file
 * (`stages/<stage>.json`) holds them; outside dev it must exist and is the only source, so a redeploy
 * can't forget a flag. In dev, `-c name=value` may add to or override the file. Unknown keys fail
 * (with the nearest setting's name): a misspelt setting is never silently ignored. CDK's own context
 * keys (with `@`, `:` or `-`) pass.
 */
export function readStageSettings(stage: string, source: SettingsSource): StageSettings {
  const known = Object.keys(StageSettings.shape);
  const fileName = source.file?.path ?? `stages/${stage}.json`;
  const lines: string[] = [];
  const suggest = (k: string) => known.find((s) => s.toLowerCase() === k.toLowerCase() || editDistance(s.toLowerCase(), k.toLowerCase()) <= 2);
  const notASetting = (where: string, k: string) => {
    const near = suggest(k);
    return `  ${where}: not a Sealtext setting${near ? ` (did you mean ${near}?)` : ''}; docs/deploy.md lists them`;
  };
  const fromContext = Object.fromEntries(Object.entries(source.context).filter(([k, v]) => k !== 'stage' && /^[a-z][A-Za-z0-9]*$/.test(k) && v !== undefined && v !== ''));
  const dev = stage === 'dev';
  if (!dev && !source.file) {
    throw new StageSettingsError(stage, [`  ${fileName}: missing. A stage other than dev is described in a committed file; start from stages/example-prod.json (docs/deploy.md)`]);
  }
  for (const k of Object.keys(fromContext)) {
    if (!known.includes(k)) lines.push(notASetting(`-c ${k}`, k));
    else if (!dev) lines.push(`  -c ${k}: set it in ${fileName} instead: outside dev the file is the only source, so no deploy can forget it`);
  }
  const fileSettings = source.file?.settings ?? {};
  for (const k of Object.keys(fileSettings)) if (!known.includes(k)) lines.push(notASetting(`${fileName} › ${k}`, k));
  if (fileSettings.stage !== undefined && fileSettings.stage !== stage) lines.push(`  ${fileName} › stage: says ${JSON.stringify(fileSettings.stage)}, but the file is for ${stage}`);
  const raw: Record<string, unknown> = { ...fileSettings, ...(dev ? fromContext : {}), stage };
  const present = Object.fromEntries(known.map((k): [string, unknown] => [k, raw[k]]).filter(([, v]) => v !== undefined && v !== ''));
  const where = (path: string) => (dev && path.split('.')[0]! in fromContext ? `-c ${path}` : `${fileName} › ${path}`);
  if (!dev) {
    for (const k of REQUIRED_OUTSIDE_DEV) if (present[k] === undefined) lines.push(`  ${fileName} › ${k}: required outside dev (docs/deploy.md)`);
  }
  const parsed = StageSettings.safeParse(present);
  if (!parsed.success) for (const i of parsed.error.issues) lines.push(`  ${i.path.length ? where(i.path.join('.')) : '(settings)'}: ${i.message}`);
  if (parsed.success) {
    const d = parsed.data;
    if (!dev && d.allowedCountries.length === 0) lines.push(`  ${fileName} › allowedCountries: name at least one country outside dev`);
    if (d.email && !new RegExp(`@${d.email.domain.replace(/\./g, '\\.')}>?$`).test(d.email.from)) lines.push(`  ${where('email')}: "from" must be an address at "domain" (the identity SES signs for)`);
    if ((d.smsProvider === 'notify') !== (d.notify !== undefined)) lines.push(`  ${where('notify')}: "smsProvider": "notify" and the "notify" settings go together`);
    if (d.voiceOriginationIdentity && d.smsProvider === 'sns') lines.push(`  ${where('voiceOriginationIdentity')}: voice calls go through End User Messaging; set "smsProvider": "eum" too`);
    // The volume decides the shared windows and bounds the spend limit (infra/sizing.ts).
    for (const p of [...stageLimits(d.expectedCodesPerDay, d.rateLimits).problems, ...(dev ? [] : spendProblems(d.expectedCodesPerDay, d.smsMonthlySpendLimitUsd))]) {
      lines.push(`  ${where(p.slice(0, p.indexOf(':')))}${p.slice(p.indexOf(':'))}`);
    }
  }
  if (lines.length || !parsed.success) throw new StageSettingsError(stage, lines);
  return parsed.data;
}

/** Levenshtein distance, for "did you mean" on a misspelt setting. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

export const isDevStage = (s: StageSettings) => s.stage === 'dev';
