import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localDynamoClient } from '../../infra/local/dynamodb.ts';
import { LOCAL_TABLE_NAMES } from '../../infra/local/layout.ts';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, outbox, tokenFor } from '../api/client.ts';

/**
 * The recipient page in Debian's Chromium, against the local stack: a person opens the link, asks
 * for a code, types it, reads the message, reloads and finds it gone. Each state is saved as a
 * screenshot under test-output/browser/ for a reviewer.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-output/browser';
let browser: Browser;
let token: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash .ci/prerequisites\` (npm test does) to install Debian's chromium`);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  token = await tokenFor(clients[0]!);
});
afterAll(async () => browser?.close());

async function send(extra: Record<string, unknown> = {}) {
  const to = randomUkMobile();
  const res = await call('POST', '/v1/messages', { token, body: { to, body: 'Your new card PIN is 4921.\n<b>Not bold</b> & kept as text.', brand: 'Acme Bank', ...extra } });
  expect(res.status).toBe(201);
  const link = (await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!;
  return { to, link, id: res.body.messageId as string };
}

async function phonePage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems: string[] = [];
  // Script errors and CSP refusals count; the browser's own note on a 4xx answer does not.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

const lastCode = async (to: string) => (await outbox(to)).at(-1)!.text.match(/\b(\d{6})\b/)![1]!;

describe('recipient page in Chromium', () => {
  it('sends a code, refuses a wrong one with the attempts left, shows the message as text, and forgets it on reload', async () => {
    const { to, link } = await send();
    const { page, problems } = await phonePage();

    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('A secure message from Acme Bank');
    await page.screenshot({ path: `${SHOTS}/1-link-opened.png`, fullPage: true });

    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('Code from the text message').waitFor();
    expect(await page.locator('#status').textContent()).toContain('We sent a code to +44');
    const code = await lastCode(to);

    await page.getByLabel('Code from the text message').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Open message' }).click();
    await page.locator('#status.error').waitFor();
    expect(await page.locator('#status').textContent()).toBe('That code is not right. 4 attempts left.');
    await page.screenshot({ path: `${SHOTS}/2-wrong-code.png`, fullPage: true });

    await page.getByLabel('Code from the text message').fill(code);
    await page.getByRole('button', { name: 'Open message' }).click();
    await page.locator('#message').waitFor({ state: 'visible' });
    expect(await page.locator('#message').textContent()).toBe('Your new card PIN is 4921.\n<b>Not bold</b> & kept as text.');
    expect(await page.locator('#message b').count()).toBe(0);
    expect(await page.locator('#after').textContent()).toContain('deleted');
    await page.screenshot({ path: `${SHOTS}/3-message-shown.png`, fullPage: true });

    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('This message has already been read');
    await page.screenshot({ path: `${SHOTS}/4-after-reload-gone.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('asks the recipient check after the code, accessibly: labelled, errors announced, keyboard only', async () => {
    const { to, link } = await send({ recipientCheck: { prompt: 'Your date of birth (DD/MM/YYYY)', answer: '01/04/1980' } });
    const { page, problems } = await phonePage();
    await page.goto(link);
    await page.getByRole('button', { name: 'Send me a code' }).press('Enter');
    await page.getByLabel('Code from the text message').waitFor();
    const code = await lastCode(to);
    // Keyboard only: type the code, Enter submits.
    await page.getByLabel('Code from the text message').pressSequentially(code);
    await page.keyboard.press('Enter');
    const answer = page.getByLabel('Your date of birth (DD/MM/YYYY)');
    await answer.waitFor();
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'answer'");
    expect(await page.locator('#status').textContent()).toBe('One more step: answer the question to open the message.');
    expect(await page.locator('#status').getAttribute('aria-live')).toBe('polite');
    await page.screenshot({ path: `${SHOTS}/7-check-asked.png`, fullPage: true });

    await page.keyboard.type('02/04/1980');
    await page.keyboard.press('Enter');
    await page.locator('#status.error').waitFor();
    expect(await page.locator('#status').textContent()).toBe('That answer is not right. 4 attempts left.');
    expect(await answer.getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: `${SHOTS}/8-wrong-answer.png`, fullPage: true });

    // Case, spaces and punctuation do not matter.
    await page.keyboard.type('01 04 1980');
    await page.keyboard.press('Enter');
    await page.locator('#message').waitFor({ state: 'visible' });
    expect(await page.locator('#message').textContent()).toContain('Your new card PIN is 4921.');
    await page.screenshot({ path: `${SHOTS}/9-opened-after-check.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('shows the revoked page after the sender revokes', async () => {
    const { link, id } = await send();
    expect((await call('DELETE', `/v1/messages/${id}`, { token })).status).toBe(200);
    const { page } = await phonePage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('This message was withdrawn');
    await page.screenshot({ path: `${SHOTS}/5-revoked.png`, fullPage: true });
  });

  it('shows the expired page once the server clock passes the expiry', async () => {
    const { link, id } = await send({ ttlSeconds: 300 });
    // Age the stored message as time would: expiry in the past, item still present (TTL is late).
    const dynamo = localDynamoClient(inject('stackDynamoEndpoint'));
    await dynamo.send(new UpdateItemCommand({
      TableName: LOCAL_TABLE_NAMES.Data,
      Key: { pk: { S: `MSG#${id}` }, sk: { S: 'MSG' } },
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': { N: String(Date.now() - 1000) } },
    }));
    dynamo.destroy();
    const { page } = await phonePage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('This message has expired');
    await page.screenshot({ path: `${SHOTS}/6-expired.png`, fullPage: true });
  });
});

describe('a sealed message on every channel, opened in Chromium (API 1.2)', () => {
  const body = 'Your new card PIN is 4921.';
  async function openWith(link: string, label: string, code: () => Promise<string>, shot: string) {
    const { page, problems } = await phonePage();
    await page.goto(link);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel(label).waitFor();
    await page.getByLabel(label).fill(await code());
    await page.getByRole('button', { name: 'Open message' }).click();
    await page.locator('#message').waitFor({ state: 'visible' });
    expect(await page.locator('#message').textContent()).toBe(body);
    await page.screenshot({ path: `${SHOTS}/${shot}`, fullPage: true });
    expect(problems).toEqual([]);
    return page;
  }

  it('by e-mail: the link from the e-mail, the code from the next e-mail, the address masked on the page', async () => {
    const to = randomUkMobile();
    const email = `eve.${Math.random().toString(36).slice(2, 10)}@example.com`;
    expect((await call('POST', '/v1/messages', { token, body: { to, channel: 'email', email, body, brand: 'Acme Bank' } })).status).toBe(201);
    const link = (await outbox(email)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!;
    const { page } = await phonePage();
    await page.goto(link);
    expect(await page.locator('#actions p').first().textContent()).toBe('To keep it private, we first e-mail a one-time code to e***@example.com.');
    await page.close();
    const opened = await openWith(link, 'Code from the e-mail', async () => (await outbox(email)).at(-1)!.text.match(/^\s+(\d{6})\s*$/m)![1]!, '10-email-opened.png');
    expect(await opened.content()).not.toContain(email);
    expect(await outbox(to)).toEqual([]);
  });

  it('by WhatsApp: the link from the notice\'s button, the code from the WhatsApp message', async () => {
    const to = randomUkMobile();
    expect((await call('PUT', '/v1/consents', { token, body: { to, channel: 'whatsapp', category: 'all', status: 'opted_in', source: 'web_form' } })).status).toBe(200);
    expect((await call('POST', '/v1/messages', { token, body: { to, channel: 'whatsapp', body, brand: 'Acme Bank' } })).status).toBe(201);
    const link = (await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!;
    await openWith(link, 'Code from the WhatsApp message', async () => (await outbox(to)).at(-1)!.text.match(/^(\d{6}) is your verification code/)![1]!, '11-whatsapp-opened.png');
    expect((await outbox(to)).every((m) => m.channel === 'whatsapp')).toBe(true);
  });

  it('one-click unsubscribe from a promotional e-mail: the page asks, its button records the opt-out', async () => {
    const email = `fay.${Math.random().toString(36).slice(2, 10)}@example.com`;
    const b = await tokenFor(clients[1]!);
    const templateId = (await call('POST', '/v1/templates', { token, body: { name: 'browser-promo', category: 'promotional', text: 'Autumn sale today' } })).body.templateId as string;
    expect((await call('POST', `/v1/templates/${templateId}/versions/1/approve`, { token: b, body: {} })).status).toBe(200);
    await call('PUT', '/v1/consents', { token, body: { channel: 'email', email, category: 'promotional', status: 'opted_in', source: 'web_form' } });
    expect((await call('POST', '/v1/messages', { token, body: { to: randomUkMobile(), channel: 'email', email, templateId, delivery: 'direct' } })).status).toBe(201);
    const mail = (await outbox(email)).at(-1) as { headers?: Record<string, string> };
    const link = mail.headers!['List-Unsubscribe']!.slice(1, -1);
    const { page, problems } = await phonePage();
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Unsubscribe from promotional e-mail');
    await page.screenshot({ path: `${SHOTS}/12-unsubscribe-ask.png`, fullPage: true });
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.locator('h1', { hasText: 'You are unsubscribed' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/13-unsubscribed.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect((await call('POST', '/v1/consents/lookup', { token, body: { email } })).body).toMatchObject({ promotional: { status: 'opted_out', source: 'one_click_unsubscribe' } });
  });
});

