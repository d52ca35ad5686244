import type { NewAuditEvent } from '../audit/event.ts';
import { newId } from '../crypto/ids.ts';
import { NotFound, SecondApproverRequired, TemplateConflict, TemplateNotApproved } from '../errors.ts';
import { render, smsStats, variablesOf } from './render.ts';

/**
 * Approved templates with maker-checker. A template is business-wide (every client with the scopes
 * sees it: the checker must); each change is a new draft version; a version is approved by a client
 * other than the one that wrote it, and approved versions never change. Messages use the latest
 * approved version. Every change and approval commits with its audit event.
 */
export type Category = 'transactional' | 'promotional';
export type TemplateHeader = { id: string; name: string; category: Category; locale: string; latestVersion: number; approvedVersion?: number; createdBy: string; createdAt: number };
export type TemplateVersion = { version: number; text: string; variables: string[]; status: 'draft' | 'approved'; author: string; createdAt: number; approvedBy?: string; approvedAt?: number };

/** The port (adapters/store/template-store.ts). Writes are conditional on what was read; false when it changed. */
export interface TemplateStore {
  create(t: TemplateHeader, v: TemplateVersion, event: NewAuditEvent): Promise<void>;
  header(id: string): Promise<TemplateHeader | undefined>;
  versions(id: string): Promise<TemplateVersion[]>;
  version(id: string, version: number): Promise<TemplateVersion | undefined>;
  list(): Promise<TemplateHeader[]>;
  addVersion(id: string, seenLatest: number, v: TemplateVersion, event: NewAuditEvent): Promise<boolean>;
  /** Approves a draft not written by `approver`, and makes it the approved version if none newer is. */
  approve(id: string, version: number, approver: string, atMs: number, seenApproved: number | undefined, event: NewAuditEvent): Promise<boolean>;
}

export type TemplateDeps = { templates: TemplateStore; now: () => number };

const event = (actor: string, outcome: string, id: string): NewAuditEvent => ({ actor, action: 'template.change', outcome, resource: id });
const versionView = (v: TemplateVersion) => ({
  version: v.version, status: v.status, text: v.text, variables: v.variables, sms: smsStats(v.text), createdBy: v.author, createdAt: new Date(v.createdAt).toISOString(),
  ...(v.approvedBy ? { approvedBy: v.approvedBy, approvedAt: new Date(v.approvedAt!).toISOString() } : {}),
});
const headerView = (t: TemplateHeader) => ({
  templateId: t.id, name: t.name, category: t.category, locale: t.locale, latestVersion: t.latestVersion,
  ...(t.approvedVersion ? { approvedVersion: t.approvedVersion } : {}), createdBy: t.createdBy, createdAt: new Date(t.createdAt).toISOString(),
});

export async function createTemplate(deps: TemplateDeps, clientId: string, input: { name: string; category: Category; locale: string; text: string }) {
  const now = deps.now();
  const id = newId();
  const version: TemplateVersion = { version: 1, text: input.text, variables: variablesOf(input.text), status: 'draft', author: clientId, createdAt: now };
  await deps.templates.create({ id, name: input.name, category: input.category, locale: input.locale, latestVersion: 1, createdBy: clientId, createdAt: now }, version, event(clientId, 'created:v1', id));
  return { templateId: id, version: 1, status: 'draft' as const, sms: smsStats(input.text) };
}

export async function reviseTemplate(deps: TemplateDeps, clientId: string, id: string, input: { text: string }) {
  const variables = variablesOf(input.text);
  for (;;) {
    const t = await deps.templates.header(id);
    if (!t) throw new NotFound();
    const next = t.latestVersion + 1;
    const v: TemplateVersion = { version: next, text: input.text, variables, status: 'draft', author: clientId, createdAt: deps.now() };
    if (await deps.templates.addVersion(id, t.latestVersion, v, event(clientId, `revised:v${next}`, id))) return { templateId: id, version: next, status: 'draft' as const, sms: smsStats(input.text) };
  }
}

export async function approveTemplate(deps: TemplateDeps, clientId: string, id: string, version: number) {
  const [t, v] = await Promise.all([deps.templates.header(id), deps.templates.version(id, version)]);
  if (!t || !v) throw new NotFound();
  if (v.author === clientId) throw new SecondApproverRequired();
  if (v.status !== 'draft') throw new TemplateConflict('version_not_draft');
  if ((t.approvedVersion ?? 0) > version) throw new TemplateConflict('newer_version_approved');
  // Conditional on the draft still being a draft and the approved version still the one read: of
  // concurrent approvals exactly one commits (and one event); the others learn why.
  if (!(await deps.templates.approve(id, version, clientId, deps.now(), t.approvedVersion, event(clientId, `approved:v${version}`, id)))) {
    const now = await deps.templates.version(id, version);
    throw new TemplateConflict(now?.status === 'approved' ? 'version_not_draft' : 'template_changed');
  }
  return { templateId: id, version, status: 'approved' as const };
}

export async function getTemplate(deps: TemplateDeps, id: string) {
  const [t, versions] = await Promise.all([deps.templates.header(id), deps.templates.versions(id)]);
  if (!t) throw new NotFound();
  return { ...headerView(t), versions: versions.map(versionView) };
}

export async function listTemplates(deps: TemplateDeps) {
  return { templates: (await deps.templates.list()).map(headerView) };
}

/** The text of a message sent from a template: its latest approved version, filled in. */
export async function renderFromTemplate(templates: TemplateStore, id: string, variables: Record<string, string>) {
  const t = await templates.header(id);
  if (!t) throw new NotFound();
  if (!t.approvedVersion) throw new TemplateNotApproved();
  const v = await templates.version(id, t.approvedVersion);
  if (!v) throw new TemplateNotApproved();
  return { text: render(v.text, variables), category: t.category, version: v.version };
}
