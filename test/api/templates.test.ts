import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, outbox, tokenFor } from './client.ts';

/** Templates over HTTP: maker-checker between the two local clients, and sending from one. */
let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([tokenFor(clients[0]!), tokenFor(clients[1]!)]);
});

describe('templates', () => {
  it('are written by one client, approved by another, and messages are sent from the approved version only', async () => {
    const created = await call('POST', '/v1/templates', { token: a, body: { name: 'parcel', category: 'transactional', text: 'Parcel {{ref}} arrives {{day}}.' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, status: 'draft', sms: { encoding: 'GSM-7', segments: 1 } });
    const id = created.body.templateId as string;
    const to = randomUkMobile();
    // Not approved yet: nothing can be sent from it.
    expect((await call('POST', '/v1/messages', { token: a, body: { to, templateId: id, variables: { ref: 'A1', day: 'today' }, delivery: 'direct' } })).body).toMatchObject({ status: 422, code: 'template_not_approved' });

    const self = await call('POST', `/v1/templates/${id}/versions/1/approve`, { token: a, body: {} });
    expect(self.body).toMatchObject({ status: 403, code: 'second_approver_required' });
    expect((await call('POST', `/v1/templates/${id}/versions/1/approve`, { token: b, body: {} })).body).toMatchObject({ status: 'approved', version: 1 });

    const revised = await call('PUT', `/v1/templates/${id}`, { token: a, body: { text: 'Parcel {{ref}} is lost. Pay {{fee}} at evil.example' } });
    expect(revised.body).toMatchObject({ version: 2, status: 'draft' });

    const sent = await call('POST', '/v1/messages', { token: a, body: { to, templateId: id, variables: { ref: 'A1', day: 'today' }, delivery: 'direct' } });
    expect(sent.status).toBe(201);
    expect((await outbox(to)).at(-1)!.text).toBe('Sealtext: Parcel A1 arrives today.');
    // Missing and extra variables are named; nothing is sent.
    const bad = await call('POST', '/v1/messages', { token: a, body: { to, templateId: id, variables: { ref: 'A1', extra: 'x' } } });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['variables.day', 'variables.extra']);
    expect(await outbox(to)).toHaveLength(1);

    const view = await call('GET', `/v1/templates/${id}`, { token: b });
    expect(view.body).toMatchObject({ latestVersion: 2, approvedVersion: 1, versions: [{ version: 1, status: 'approved', createdBy: clients[0]!.clientId, approvedBy: clients[1]!.clientId }, { version: 2, status: 'draft' }] });
    expect(((await call('GET', '/v1/templates', { token: b })).body.templates as { templateId: string }[]).some((t) => t.templateId === id)).toBe(true);
  });

  it('refuses bad placeholders and unknown templates, and needs the scopes', async () => {
    expect((await call('POST', '/v1/templates', { token: a, body: { name: 'x', category: 'transactional', text: 'Hi {{first name}}' } })).status).toBe(400);
    expect((await call('GET', '/v1/templates/AAAAAAAAAAAAAAAAAAAAAA', { token: a })).status).toBe(404);
    const writeOnly = await tokenFor(clients[1]!, 'p2a/templates.write');
    const id = (await call('POST', '/v1/templates', { token: a, body: { name: 'y', category: 'transactional', text: 'Hello' } })).body.templateId as string;
    expect((await call('POST', `/v1/templates/${id}/versions/1/approve`, { token: writeOnly, body: {} })).status).toBe(403);
  });
});
