import { describe, expect, it } from 'vitest';
import { messageContent } from '#shared/messages/content';
import { SendMessageRequest } from '#shared/messages/schemas';
import { render, smsStats, variablesOf } from '#shared/templates/render';
import type { TemplateHeader, TemplateStore, TemplateVersion } from '#shared/templates/template';

describe('template rendering', () => {
  it('finds the placeholders and fills them once: a value cannot inject another placeholder', () => {
    const text = 'Hi {{first_name}}, order {{order}} ships today. {{first_name}}, thanks!';
    expect(variablesOf(text)).toEqual(['first_name', 'order']);
    expect(render(text, { first_name: 'Ann', order: 'A-17' })).toBe('Hi Ann, order A-17 ships today. Ann, thanks!');
    expect(render('Hi {{name}}', { name: '{{name}} {{x}}' })).toBe('Hi {{name}} {{x}}');
  });

  it('refuses stray braces, missing, extra, long and control-character values, naming each', () => {
    expect(() => variablesOf('Hi {{first name}}')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => variablesOf('Hi {{name}')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    try {
      render('Hi {{a}} {{b}}', { a: 'x'.repeat(201), c: 'extra' });
      expect.unreachable();
    } catch (error) {
      expect((error as { extra: { errors: { path: string }[] } }).extra.errors.map((e) => e.path).sort()).toEqual(['variables.a', 'variables.b', 'variables.c']);
    }
    expect(() => render('Hi {{a}}', { a: 'line\nbreak' })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('reports GSM-7 or UCS-2, the length in septets or code units, and the segments', () => {
    expect(smsStats('x'.repeat(160))).toEqual({ encoding: 'GSM-7', length: 160, segments: 1 });
    expect(smsStats('x'.repeat(161))).toEqual({ encoding: 'GSM-7', length: 161, segments: 2 });
    // The extension table costs two septets a character.
    expect(smsStats('€'.repeat(80))).toEqual({ encoding: 'GSM-7', length: 160, segments: 1 });
    expect(smsStats(`${'x'.repeat(159)}{`)).toEqual({ encoding: 'GSM-7', length: 161, segments: 2 });
    // One character outside GSM-7 makes the whole SMS UCS-2.
    expect(smsStats(`Zürich ${'x'.repeat(60)} ł`)).toEqual({ encoding: 'UCS-2', length: 69, segments: 1 });
    expect(smsStats('ł'.repeat(71))).toEqual({ encoding: 'UCS-2', length: 71, segments: 2 });
    expect(smsStats('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', length: 70, segments: 1 });
  });
});

describe('the template policy on sends', () => {
  const header: TemplateHeader = { id: 'T'.repeat(22), name: 'promo', category: 'promotional', locale: 'en', latestVersion: 2, approvedVersion: 1, createdBy: 'maker', createdAt: 0 };
  const versions: Record<number, TemplateVersion> = {
    1: { version: 1, text: '10% off for {{name}}', variables: ['name'], status: 'approved', author: 'maker', createdAt: 0, approvedBy: 'checker', approvedAt: 1 },
    2: { version: 2, text: '90% off for {{name}}', variables: ['name'], status: 'draft', author: 'maker', createdAt: 2 },
  };
  const templates = { header: async (id: string) => (id === header.id ? header : undefined), version: async (_: string, v: number) => versions[v] } as unknown as TemplateStore;
  const req = (x: object) => SendMessageRequest.parse({ to: '+447400123456', ...x });

  it('sends the latest approved version (never a draft), in the template\'s category', async () => {
    expect(await messageContent({ templates, requireApprovedTemplates: 'all' }, req({ templateId: header.id, variables: { name: 'Ann' } }))).toEqual({
      body: '10% off for Ann', category: 'promotional', templateId: header.id, templateVersion: 1,
    });
    await expect(messageContent({ templates, requireApprovedTemplates: 'none' }, req({ templateId: header.id, variables: { name: 'Ann' }, category: 'transactional' }))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(messageContent({ templates, requireApprovedTemplates: 'none' }, req({ templateId: 'U'.repeat(22), variables: {} }))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a free body where the policy wants a template: 403 template_required', async () => {
    const free = (category: string, policy: 'none' | 'promotional' | 'all') => messageContent({ templates, requireApprovedTemplates: policy }, req({ body: 'Sale!', category }));
    await expect(free('promotional', 'promotional')).rejects.toMatchObject({ status: 403, code: 'template_required' });
    await expect(free('transactional', 'promotional')).resolves.toMatchObject({ body: 'Sale!' });
    await expect(free('transactional', 'all')).rejects.toMatchObject({ code: 'template_required' });
    await expect(free('promotional', 'none')).resolves.toMatchObject({ category: 'promotional' });
  });
});
