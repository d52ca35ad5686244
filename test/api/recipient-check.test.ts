import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { baseUrl, call, clients, outbox, tokenFor } from './client.ts';

/** The recipient check over HTTP: asked after the code, wrong answers count, the answer never leaves. */
let a: string;
beforeAll(async () => {
  a = await tokenFor(clients[0]!);
});

const open = async (path: string, body: object) => {
  const res = await fetch(`${baseUrl}${path}/open`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.9' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('recipient check', () => {
  it('answers 422 answer_required with the prompt (the code stays valid), counts a wrong answer, opens with the right one', async () => {
    const to = randomUkMobile();
    const sent = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Your PIN is 4921', recipientCheck: { prompt: 'Your postcode', answer: 'SW1A 1AA' } } });
    expect(sent.status).toBe(201);
    expect(sent.text).not.toContain('SW1A');
    const path = new URL((await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!).pathname;
    expect((await fetch(`${baseUrl}${path}/code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(202);
    const code = (await outbox(to)).at(-1)!.text.match(/\b(\d{6})\b/)![1]!;

    expect(await open(path, { code })).toEqual({ status: 422, body: expect.objectContaining({ code: 'answer_required', prompt: 'Your postcode' }) });
    expect(await open(path, { code })).toMatchObject({ status: 422, body: { code: 'answer_required' } });
    const wrong = await open(path, { code, answer: 'SW1A 1AB' });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'invalid_answer', remainingAttempts: 4 } });
    expect(JSON.stringify(wrong.body)).not.toContain('SW1A');
    // A wrong code is still a wrong code, whatever the answer.
    expect(await open(path, { code: code === '000000' ? '111111' : '000000', answer: 'SW1A 1AA' })).toMatchObject({ status: 422, body: { code: 'invalid_code', remainingAttempts: 3 } });
    expect(await open(path, { code, answer: ' sw1a1aa ' })).toMatchObject({ status: 200, body: { body: 'Your PIN is 4921' } });
  });

  it('is for sealed messages only and needs a real answer', async () => {
    const to = randomUkMobile();
    expect((await call('POST', '/v1/messages', { token: a, body: { to, body: 'x', delivery: 'direct', recipientCheck: { prompt: 'Postcode', answer: 'SW1A' } } })).status).toBe(400);
    expect((await call('POST', '/v1/messages', { token: a, body: { to, body: 'x', recipientCheck: { prompt: 'Postcode', answer: '--' } } })).status).toBe(400);
    expect(await outbox(to)).toEqual([]);
  });

});
