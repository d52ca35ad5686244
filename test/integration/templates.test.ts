import { describe, expect, it } from 'vitest';
import { DynamoTemplateStore } from '#shared/adapters/store/template-store';
import { approveTemplate, createTemplate, getTemplate, reviseTemplate, renderFromTemplate } from '#shared/templates/template';
import { auditTrail, freshTables } from './deps.ts';

/** Maker-checker on DynamoDB Local: conditions in the writes, not only in the reads before them. */
async function world() {
  const tables = await freshTables('tpl');
  const trail = auditTrail(tables.Audit);
  const templates = new DynamoTemplateStore(trail.doc, tables.Data, trail.items);
  return { templates, deps: { templates, now: Date.now }, trail };
}

describe('templates with maker-checker (DynamoDB Local)', () => {
  it('lets exactly one of many concurrent checkers approve, never the maker, with one audit event', async () => {
    const w = await world();
    const { templateId } = await createTemplate(w.deps, 'maker', { name: 'promo', category: 'promotional', locale: 'en', text: 'Hi {{name}}, 10% off today.' });
    const tries = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => approveTemplate(w.deps, `checker-${i}`, templateId, 1)),
      approveTemplate(w.deps, 'maker', templateId, 1),
    ]);
    const won = tries.filter((t) => t.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const reasons = tries.filter((t) => t.status === 'rejected').map((t) => (t).reason.code as string);
    expect(reasons.filter((c) => c === 'second_approver_required')).toHaveLength(1);
    expect(reasons.filter((c) => c !== 'second_approver_required').every((c) => c === 'version_not_draft' || c === 'template_changed')).toBe(true);
    const events = (await w.trail.store.byResource(templateId, { from: '2000', until: '3000' })).map((e) => `${e.action}:${e.outcome}`);
    expect(events).toEqual(['template.change:created:v1', 'template.change:approved:v1']);
    const view = await getTemplate(w.deps, templateId);
    expect(view).toMatchObject({ approvedVersion: 1, latestVersion: 1, versions: [{ version: 1, status: 'approved', createdBy: 'maker', approvedBy: expect.stringMatching(/^checker-/) }] });
  });

  it('keeps approved versions as they were; a revision is a new draft that sends nothing until approved', async () => {
    const w = await world();
    const { templateId } = await createTemplate(w.deps, 'maker', { name: 'order', category: 'transactional', locale: 'en', text: 'Order {{order}} ships today.' });
    await approveTemplate(w.deps, 'checker', templateId, 1);
    // Concurrent revisions: each gets its own version number.
    const revised = await Promise.all([0, 1, 2].map((i) => reviseTemplate(w.deps, `maker-${i}`, templateId, { text: `Order {{order}} ships in ${i + 2} days.` })));
    expect(revised.map((r) => r.version).sort()).toEqual([2, 3, 4]);
    expect((await renderFromTemplate(w.templates, templateId, { order: 'A-1' })).text).toBe('Order A-1 ships today.');
    await approveTemplate(w.deps, 'checker', templateId, 3);
    expect((await renderFromTemplate(w.templates, templateId, { order: 'A-1' })).version).toBe(3);
    await expect(approveTemplate(w.deps, 'checker', templateId, 2)).rejects.toMatchObject({ code: 'newer_version_approved' });
    await expect(approveTemplate(w.deps, 'other', templateId, 1)).rejects.toMatchObject({ code: 'version_not_draft' });
    const view = await getTemplate(w.deps, templateId);
    expect(view.versions.map((v) => `${v.version}:${v.status}`)).toEqual(['1:approved', '2:draft', '3:approved', '4:draft']);
    expect(view.versions[0]!.text).toBe('Order {{order}} ships today.');
    await expect(approveTemplate(w.deps, 'checker', templateId, 9)).rejects.toMatchObject({ code: 'not_found' });
  });
});
