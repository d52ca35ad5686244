import type { NewAuditEvent } from '../audit/event.ts';

/** The port the consent domain owns; DynamoDB implements it (adapters/store/consent-store.ts). */
export type ConsentChange = {
  id: string;
  at: number;
  actor: string;
  source: string;
  category: 'promotional' | 'all';
  status: 'opted_in' | 'opted_out';
  /**
   * API 1.2. `whatsapp`: a number's WhatsApp opt-in or opt-out (Meta's rule), apart from its SMS
   * consent. `email`: a change to an address's own record (promotional e-mail, or every e-mail),
   * filed under the address's blind index. Absent: SMS.
   */
  channel?: 'whatsapp' | 'email';
  textVersion?: string;
  sealedEvidence?: string;
};

export type ConsentRecord = {
  promotional?: 'opted_in' | 'opted_out';
  promotionalUpdatedAt?: number;
  promotionalSource?: string;
  optedOutAll?: boolean;
  optedOutAllUpdatedAt?: number;
  whatsapp?: 'opted_in' | 'opted_out';
  whatsappUpdatedAt?: number;
  whatsappSource?: string;
  /** Kept after an erasure: the number stays opted out, and nothing else is known about it. */
  suppressed?: boolean;
};

export interface ConsentStore {
  /** The current record, the change log entry and the change's audit event, in one transaction. */
  apply(phoneIndex: string, change: ConsentChange, event: NewAuditEvent): Promise<void>;
  read(phoneIndex: string): Promise<{ state: ConsentRecord | undefined; history: ConsentChange[] }>;
  /** The current record alone (one read): what a send plans with; the send's own condition has the last word. */
  state(phoneIndex: string): Promise<ConsentRecord | undefined>;
}

