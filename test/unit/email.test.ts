import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestException, MessageRejected, SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxEmail } from '#shared/adapters/email/outbox';
import { SesEmail } from '#shared/adapters/email/ses';
import { readOutbox } from '#shared/adapters/sms/outbox';
import { ChannelRejected } from '#shared/channels/senders';
import { emailIndex, maskEmail, parseEmail, senderName } from '#shared/email/address';
import { directEmail, sealedNoticeEmail } from '#shared/email/message-email';
import { emailIndexOfToken, isOneClickBody, unsubscribeHeaders, unsubscribeToken } from '#shared/email/unsubscribe';
import { renderUnsubscribePage } from '#shared/email/unsubscribe-page';
import { renderCodeEmail } from '#shared/email/code-email';
import { fromSesEvent } from '#shared/delivery/provider-receipts';
import { toMime } from '#shared/email/mime';

/** E-mail (API 1.2, issue 24): addresses by syntax, masking, the code e-mail, MIME, and the SES contract. */
const ok = (s: string) => {
  const r = parseEmail(s);
  if (!r.ok) throw new Error(`${s}: ${r.reason}`);
  return r.email;
};
const refused = (s: string) => {
  const r = parseEmail(s);
  return r.ok ? undefined : r.reason;
};

describe('e-mail addresses', () => {
  it('accepts dot-atom local parts and real domains, lower-casing the domain and keeping IDN domains as punycode', () => {
    expect(ok('Ann.Lee+codes@Example.COM')).toEqual({ address: 'Ann.Lee+codes@example.com', local: 'Ann.Lee+codes', domain: 'example.com' });
    expect(ok("o'brien_{x}@mail.example.co.uk").domain).toBe('mail.example.co.uk');
    expect(ok('ann@bücher.de').domain).toBe('xn--bcher-kva.de');
    expect(ok('ann@例え.jp').domain).toBe('xn--r8jz45g.jp');
  });

  it('refuses what SMTP would not carry or we cannot check without a look-up', () => {
    for (const bad of ['', 'ann', '@example.com', 'ann@', 'ann@@example.com', 'ann..lee@example.com', '.ann@example.com', 'ann.@example.com', '"ann lee"@example.com',
      'ann@localhost', 'ann@[192.0.2.1]', 'ann@example.123', 'ann@-example.com', 'ann@exa mple.com', 'an n@example.com', 'ann@example..com']) {
      expect(refused(bad), bad).toBeDefined();
    }
  });

  it('holds RFC 5321\'s limits: 64 before the @, 63 a label, 254 in all', () => {
    expect(refused(`${'a'.repeat(64)}@example.com`)).toBeUndefined();
    expect(refused(`${'a'.repeat(65)}@example.com`)).toMatch(/64/);
    expect(refused(`ann@${'b'.repeat(64)}.com`)).toBeDefined();
    const domain = `${Array.from({ length: 4 }, () => 'c'.repeat(59)).join('.')}.com`;
    const local = 'a'.repeat(254 - 1 - domain.length);
    expect(refused(`${local}@${domain}`)).toBeUndefined(); // 254 in all
    expect(refused(`${local}a@${domain}`)).toMatch(/254/);
  });

  it('masks to the first character and the domain, and indexes case-insensitively', () => {
    expect(maskEmail(ok('ann.lee@example.com'))).toBe('a***@example.com');
    const key = Buffer.alloc(32, 7);
    expect(emailIndex(key, ok('Ann@Example.com'))).toBe(emailIndex(key, ok('ann@example.com')));
    expect(emailIndex(key, ok('ann@example.com'))).not.toContain('ann');
  });
});

describe('the code e-mail', () => {
  it('names the brand and the purpose in the subject; both parts carry the code, the expiry and the warning; no link, no image', () => {
    const m = renderCodeEmail('en', { brand: 'Acme <Bank>', code: '482910', minutes: 5, purpose: 'login' });
    expect(m.subject).toBe('Acme <Bank>: your sign-in code');
    for (const part of [m.text, m.html]) {
      expect(part).toContain('482910');
      expect(part).toContain('5 minutes');
      expect(part).toMatch(/Never share this code/);
    }
    expect(m.html).toContain('Acme &lt;Bank&gt;');
    expect(m.html).not.toMatch(/<img|<a |https?:|src=/i);
    const tx = renderCodeEmail('de', { brand: 'Acme', code: '1234567', minutes: 10, purpose: 'transaction', transaction: { amount: '120.50', currency: 'EUR', payee: 'ACME Ltd' } });
    expect(tx.subject).toBe('Acme: Ihr Zahlungscode');
    expect(tx.text).toContain('120.50 EUR an ACME Ltd');
  });

  it('builds a multipart/alternative message: text first, then HTML, each decodable, with extra headers', () => {
    const m = renderCodeEmail('de', { brand: 'Bäckerei', code: '482910', minutes: 5, purpose: 'login' });
    const mime = toMime({ ...m, from: 'Bäckerei <codes@example.com>', to: 'ann@example.com', messageId: 'x@local', date: new Date(0), headers: [{ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' }] }, 'B');
    const [head, ...rest] = mime.split('\r\n\r\n');
    expect(head).toMatch(/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/m);
    expect(Buffer.from(head!.match(/Subject: =\?UTF-8\?B\?(.+)\?=/)![1]!, 'base64').toString()).toBe(m.subject);
    expect(head).toContain('Content-Type: multipart/alternative; boundary="B"');
    expect(head).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const parts = rest.join('\r\n\r\n').split('--B').slice(1, -1);
    expect(parts.map((p) => p.match(/Content-Type: (\S+);/)![1])).toEqual(['text/plain', 'text/html']);
    const decoded = parts.map((p) => Buffer.from(p.split('\r\n\r\n')[1]!.replace(/\s+/g, ''), 'base64').toString('utf8'));
    expect(decoded).toEqual([m.text, m.html]);
    expect(mime.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(mime.endsWith('--B--\r\n')).toBe(true);
  });
});

describe('SES v2 sender (aws-sdk-client-mock contract)', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());
  const sender = () => new SesEmail(new SESv2Client({ region: 'eu-west-1' }), { from: 'Acme <codes@mail.example.com>', configurationSet: 'sealtext-prod' });
  const mail = { to: 'ann@example.com', subject: 'S', text: 'T', html: '<p>H</p>', ref: 'otp:abc:1.1', headers: [{ name: 'List-Unsubscribe', value: '<https://x/u>' }] };

  it('sends simple content from the domain identity, through the configuration set, with the reference as a tag', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    expect(await sender().send(mail)).toEqual({ messageId: 'ses-1' });
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).toEqual({
      FromEmailAddress: 'Acme <codes@mail.example.com>',
      Destination: { ToAddresses: ['ann@example.com'] },
      Content: { Simple: { Subject: { Data: 'S', Charset: 'UTF-8' }, Body: { Text: { Data: 'T', Charset: 'UTF-8' }, Html: { Data: '<p>H</p>', Charset: 'UTF-8' } }, Headers: [{ Name: 'List-Unsubscribe', Value: '<https://x/u>' }] } },
      ConfigurationSetName: 'sealtext-prod',
      EmailTags: [{ Name: 'sealtextRef', Value: 'otp_abc_1.1' }],
    });
  });

  it('refuses for good what SES rejects; throttling is retried', async () => {
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'suppressed', $metadata: {} }));
    await expect(sender().send(mail)).rejects.toBeInstanceOf(ChannelRejected);
    ses.reset();
    ses.on(SendEmailCommand).rejects(new BadRequestException({ message: 'bad address', $metadata: {} }));
    await expect(sender().send(mail)).rejects.toMatchObject({ reason: 'invalid_destination' });
    ses.reset();
    ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'slow', $metadata: {} }));
    await expect(sender().send(mail)).rejects.toBeInstanceOf(TooManyRequestsException);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  const keys = { blindIndexKey: Buffer.alloc(32, 7) };
  const other = { blindIndexKey: Buffer.alloc(32, 8) };
  const index = emailIndex(keys.blindIndexKey, (parseEmail('Ann@Example.com') as { email: Parameters<typeof maskEmail>[0] }).email);

  it('the link names the address by its blind index with a keyed tag; a forged or foreign tag is refused', () => {
    const token = unsubscribeToken(keys, index);
    expect(token).toMatch(/^[\w-]{43}\.[\w-]{22}$/);
    expect(token).not.toMatch(/ann|example/i);
    expect(emailIndexOfToken(keys, token)).toBe(index);
    expect(emailIndexOfToken(other, token)).toBeUndefined();
    expect(emailIndexOfToken(keys, `${index}.${'A'.repeat(22)}`)).toBeUndefined();
    expect(emailIndexOfToken(keys, `${token}x`)).toBeUndefined();
    expect(emailIndexOfToken(keys, 'nonsense')).toBeUndefined();
  });

  it('promotional mail carries both headers and the same link, visible in both parts', () => {
    const url = `https://api.example.com/prod/u/${unsubscribeToken(keys, index)}`;
    expect(unsubscribeHeaders(url)).toEqual([
      { name: 'List-Unsubscribe', value: `<${url}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    for (const m of [directEmail('Acme', 'Sale today', { unsubscribeUrl: url }), sealedNoticeEmail('Acme', 'https://api.example.com/prod/m/x', Date.now(), { unsubscribeUrl: url })]) {
      expect(m.text).toContain(`Unsubscribe from promotional e-mail: ${url}`);
      expect(m.html).toContain(`<a href="${url}">Unsubscribe from promotional e-mail</a>`);
    }
    // Other mail has no unsubscribe link at all (and no link but its own).
    expect(directEmail('Acme', 'Your receipt').html).not.toMatch(/https?:/);
  });

  it('accepts only the one-click body, form-encoded or as a multipart field', () => {
    expect(isOneClickBody('application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click')).toBe(true);
    expect(isOneClickBody('application/x-www-form-urlencoded; charset=utf-8', 'List-Unsubscribe=One-Click')).toBe(true);
    expect(isOneClickBody('multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n')).toBe(true);
    expect(isOneClickBody('application/x-www-form-urlencoded', 'List-Unsubscribe=Yes')).toBe(false);
    expect(isOneClickBody('application/json', '{"List-Unsubscribe":"One-Click"}')).toBe(false);
    expect(isOneClickBody(undefined, 'List-Unsubscribe=One-Click')).toBe(false);
  });

  it('the page asks with a form that posts the one-click body; it names the sender, not the address', () => {
    const asked = renderUnsubscribePage('ask', senderName('"Acme Bank" <news@acme.example>'));
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(asked.html).toContain('Acme Bank');
    expect(renderUnsubscribePage('unknown', 'Acme').status).toBe(404);
    expect(renderUnsubscribePage('done', 'Acme').html).not.toContain('<form');
    expect(senderName('news@acme.example')).toBe('acme.example');
    expect(senderName(undefined)).toBe('Sealtext');
  });
});

describe('local e-mail', () => {
  it('puts the mail in the outbox (subject and HTML beside the text) and writes an .eml a mail client opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealtext-mail-'));
    const outbox = join(dir, 'outbox.jsonl');
    const m = renderCodeEmail('en', { brand: 'Acme', code: '482910', minutes: 5, purpose: 'login' });
    await new OutboxEmail(outbox, join(dir, 'mail'), 'Acme <codes@sealtext.local>', () => undefined).send({ to: 'ann@example.com', ...m });
    expect(readOutbox(outbox, 'ann@example.com')).toMatchObject([{ channel: 'email', subject: m.subject, text: m.text, html: m.html }]);
    const [eml] = readdirSync(join(dir, 'mail'));
    const text = readFileSync(join(dir, 'mail', eml!), 'utf8');
    expect(eml).toMatch(/\.eml$/);
    expect(text).toMatch(/^From: Acme <codes@sealtext\.local>\r\nTo: ann@example\.com\r\n/);
    expect(text).toContain('multipart/alternative');
  });
});

describe('SES events as receipts', () => {
  const ses = (eventType: string, extra: Record<string, unknown> = {}) => ({
    source: 'aws.ses', 'detail-type': `Email ${eventType}`,
    detail: { eventType, mail: { messageId: 'ses-1', timestamp: '2026-12-03T10:00:00.000Z', tags: { 'ses:configuration-set': ['sealtext-prod-mail'] } }, ...extra },
  });
  it('reads delivery as delivered, bounces and rejects as failed; a hard bounce and a complaint suppress; nothing from another source', () => {
    expect(fromSesEvent(ses('Delivery'))).toEqual({ smsId: 'ses-1', status: 'delivered', at: Date.parse('2026-12-03T10:00:00.000Z'), channel: 'email' });
    expect(fromSesEvent(ses('Bounce', { bounce: { bounceType: 'Permanent' } }))).toMatchObject({ status: 'failed', errorCode: 'bounced', suppress: { reason: 'bounced' } });
    expect(fromSesEvent(ses('Bounce', { bounce: { bounceType: 'Transient' } }))).toEqual(expect.not.objectContaining({ suppress: expect.anything() }));
    expect(fromSesEvent(ses('Bounce', { bounce: { bounceType: 'Transient' } }))).toMatchObject({ status: 'failed', errorCode: 'soft_bounced' });
    expect(fromSesEvent(ses('Reject'))).toMatchObject({ status: 'failed', errorCode: 'rejected' });
    expect(fromSesEvent(ses('Complaint'))).toMatchObject({ suppress: { reason: 'complained', only: true } });
    expect(fromSesEvent(ses('Open'))).toBeUndefined();
    expect(fromSesEvent({ ...ses('Delivery'), source: 'aws.sms-voice' })).toBeUndefined();
  });
});
