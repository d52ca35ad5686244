import type { NewAuditEvent } from '../audit/event.ts';

export type SubjectItem = Record<string, unknown> & { pk: string; sk: string };

/** The port the data-subject domain owns; DynamoDB implements it (adapters/store/subject-store.ts). */
export interface SubjectStore {
  /** Everything filed under one number's blind index. */
  items(phoneIndex: string): Promise<SubjectItem[]>;
  /** Deletes the items (and message links), keeps an opt-out as a bare suppression entry; the event commits with the last deletions. */
  erase(phoneIndex: string, items: SubjectItem[], keepSuppression: boolean, nowMs: number, event: NewAuditEvent): Promise<void>;
}
