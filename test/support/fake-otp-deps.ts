import { randomBytes } from 'node:crypto';
import { Envelope, type KeyWrapper } from '#shared/crypto/envelope';
import { aesGcmOpen, aesGcmSeal, canonicalContext } from '#shared/crypto/envelope';
import { RateLimited } from '#shared/errors';
import type { AuditTrail, NewAuditEvent } from '#shared/audit/event';
import type { FraudStore } from '#shared/fraud/blocks';
import type { FraudBlock, RangeCheck } from '#shared/fraud/ranges';
import type { SignalName, Signals } from '#shared/fraud/signals';
import type { OtpDeps } from '#shared/otp/deps';
import type { ConsentChange, ConsentRecord, ConsentStore } from '#shared/consent/store';
import type { StepDelivery, Verification } from '#shared/otp/verification';
import type { Channel } from '#shared/channels/channel';
import type { Receipt } from '#shared/delivery/receipt';
import { DEFAULT_LIMITS, type LimitCounter } from '#shared/ratelimit/limits';
import type { Sms, SmsSender } from '#shared/sms/sender';
import { ChannelRejected, type EmailSender, type OutgoingEmail, type VoiceSender, type WhatsAppSender } from '#shared/channels/senders';
import type { WhatsAppTemplateMessage } from '#shared/channels/whatsapp-message';
import type { VerificationStore, Written } from '#shared/otp/store';

/**
 * In-memory doubles for domain tests. The store mirrors the DynamoDB conditions (which the
 * integration suite proves) and, like it, commits each write's audit event with the write.
 */
class MemoryStore implements VerificationStore {
  readonly items = new Map<string, Verification>();
  readonly counters = new Map<string, number>();
  constructor(readonly audit: MemoryAuditLog = new MemoryAuditLog()) {}

  async create(v: Verification, counters: LimitCounter[], nowMs: number, event: NewAuditEvent, _range?: RangeCheck, _sent?: unknown, moreEvents: NewAuditEvent[] = []) {
    this.consume(counters, nowMs);
    this.items.set(v.id, structuredClone(v));
    for (const e of [event, ...moreEvents]) await this.audit.record(e);
  }
  async get(id: string) {
    const v = this.items.get(id);
    return v && structuredClone(v);
  }
  async approve(q: { id: string; clientId: string; codeHash: string; nowMs: number }, event: NewAuditEvent) {
    return this.update(q.id, event, (v) => this.usable(v, q) && (v.codeHash === q.codeHash || (v.codeHashes ?? []).includes(q.codeHash)), (v) => {
      v.status = 'approved';
      v.approvedAt = q.nowMs;
    });
  }
  async advanceStep(
    q: { id: string; fromStep: number; codeHash: string; nowMs: number; smsRef: string; channel: Channel; previous: StepDelivery },
    counters: LimitCounter[],
    [event, ...more]: [NewAuditEvent, ...NewAuditEvent[]],
  ) {
    const v = this.items.get(q.id);
    if (!v || !(v.status === 'pending' && v.expiresAt > q.nowMs && v.step === q.fromStep && (v.steps?.length ?? 0) > q.fromStep + 1)) return { ok: false as const, current: v && structuredClone(v) };
    this.consume(counters, q.nowMs);
    const out = await this.update(q.id, event, () => true, (x) => {
      x.step = q.fromStep + 1;
      x.channel = q.channel;
      x.codeHashes = [...(x.codeHashes ?? []), q.codeHash];
      x.deliveries = [...(x.deliveries ?? []), q.previous];
      x.lastSentAt = q.nowMs;
      x.smsRef = q.smsRef;
      x.receipt = { status: 'queued', at: q.nowMs };
    });
    for (const e of more) await this.audit.record(e);
    return out;
  }
  async failStep(id: string, ref: string, receipt: Receipt, event: NewAuditEvent) {
    await this.update(id, event, (v) => v.smsRef === ref && v.status === 'pending', (v) => {
      v.receipt = receipt;
    });
  }
  async recordFailure(q: { id: string; clientId: string; seenAttempts: number; nowMs: number }, failures: LimitCounter[], event: (locked: boolean) => NewAuditEvent) {
    const v = this.items.get(q.id);
    if (!v || !this.usable(v, q) || v.attempts !== q.seenAttempts) return { ok: false as const, current: v && structuredClone(v) };
    let locked = false;
    for (const c of failures) {
      const n = (this.counters.get(c.key) ?? 0) + 1;
      this.counters.set(c.key, n);
      if (n === c.reachAt) locked = true;
    }
    v.attempts++;
    await this.audit.record(event(locked));
    return { ok: true as const, ...(locked ? { locked } : {}) };
  }
  async replaceCode(
    q: { id: string; clientId: string; codeHash: string; seenSends: number; nowMs: number; expiresAt: number; phoneIndex: string; channel: Verification['channel']; smsRef: string; previous: StepDelivery },
    counters: LimitCounter[],
    event: NewAuditEvent,
  ) {
    const v = this.items.get(q.id);
    if (!v || !this.usable(v, q) || v.sends !== q.seenSends || v.sends >= v.maxSends) return { ok: false as const, current: v && structuredClone(v) };
    this.consume(counters, q.nowMs);
    return this.update(q.id, event, () => true, (x) => {
      x.codeHash = q.codeHash;
      x.channel = q.channel;
      x.smsRef = q.smsRef;
      x.deliveries = [...(x.deliveries ?? []), q.previous];
      delete x.codeHashes;
      delete x.steps;
      delete x.step;
      x.expiresAt = q.expiresAt;
      x.lastSentAt = q.nowMs;
      x.sends++;
      x.receipt = { status: 'queued', at: q.nowMs };
    });
  }
  async cancel(q: { id: string; clientId: string; nowMs: number }, event: NewAuditEvent) {
    return this.update(q.id, event, (v) => this.usable(v, q), (v) => {
      v.status = 'canceled';
      v.canceledAt = q.nowMs;
    });
  }
  async markFailed(id: string, event: NewAuditEvent) {
    await this.update(id, event, () => true, (v) => {
      v.status = 'failed';
      v.receipt = { status: 'failed', at: Date.now(), errorCode: event.outcome };
    });
  }
  async markSent(id: string, _smsId: string, atMs: number) {
    const v = this.items.get(id);
    if (v && v.status !== 'failed') v.receipt = { status: 'sent', at: atMs };
  }

  private usable(v: Verification, q: { clientId: string; nowMs: number }) {
    return v.clientId === q.clientId && v.status === 'pending' && v.expiresAt > q.nowMs && v.attempts < v.maxAttempts;
  }
  private consume(counters: LimitCounter[], nowMs: number) {
    const full = counters.find((c) => (this.counters.get(c.key) ?? 0) >= c.limit);
    if (full) throw new RateLimited((full.windowEndsAt - nowMs) / 1000, full.name);
    for (const c of counters) if (!c.checkOnly) this.counters.set(c.key, (this.counters.get(c.key) ?? 0) + 1);
  }
  private async update(id: string, event: NewAuditEvent, condition: (v: Verification) => boolean, change: (v: Verification) => void): Promise<Written> {
    const v = this.items.get(id);
    if (!v || !condition(v)) return { ok: false, current: v && structuredClone(v) };
    change(v);
    await this.audit.record(event);
    return { ok: true };
  }
}

/** Keeps the events in the order they were written (the DynamoDB trail and its seals are tested against DynamoDB Local). */
class MemoryAuditLog implements AuditTrail {
  readonly events: NewAuditEvent[] = [];
  async record(event: NewAuditEvent) {
    this.events.push(event);
  }
}

/** Blocks and trust in memory: the DynamoDB adapter is tested against DynamoDB Local. */
export class MemoryFraudStore implements FraudStore {
  readonly trusted = new Set<string>();
  readonly blocks: FraudBlock[] = [];
  async isTrusted(phoneIndex: string) {
    return this.trusted.has(phoneIndex);
  }
  async blockRange(r: RangeCheck, seen: { reason: string; sent: number; approved: number }, untilMs: number, nowMs: number) {
    this.blocks.push({ kind: 'prefix', key: r.digits, since: nowMs, until: untilMs, ...seen });
  }
  async list() {
    return this.blocks;
  }
  async put(block: FraudBlock) {
    this.blocks.push(block);
  }
  async lift() {
    return true;
  }
}

class MemoryConsentStore implements ConsentStore {
  readonly records = new Map<string, ConsentRecord>();
  readonly history = new Map<string, ConsentChange[]>();
  constructor(readonly audit: MemoryAuditLog = new MemoryAuditLog()) {}
  async apply(phoneIndex: string, change: ConsentChange, event: NewAuditEvent) {
    await this.audit.record(event);
    const r = { ...this.records.get(phoneIndex) };
    if (change.channel === 'whatsapp') r.whatsapp = change.status;
    else if (change.category === 'all') {
      r.optedOutAll = change.status === 'opted_out';
      if (change.status === 'opted_out') r.promotional = 'opted_out';
    } else r.promotional = change.status;
    this.records.set(phoneIndex, r);
    this.history.set(phoneIndex, [...(this.history.get(phoneIndex) ?? []), change]);
  }
  async read(phoneIndex: string) {
    return { state: this.records.get(phoneIndex), history: this.history.get(phoneIndex) ?? [] };
  }
  async state(phoneIndex: string) {
    return this.records.get(phoneIndex);
  }
}

/** Counts signals by name and dimensions, as CloudWatch would aggregate them. */
class RecordingSignals implements Signals {
  readonly counts = new Map<string, number>();
  count(name: SignalName, dimensions?: Record<string, string>) {
    const key = dimensions ? `${name}${JSON.stringify(dimensions)}` : name;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get(name: SignalName, dimensions?: Record<string, string>) {
    return this.counts.get(dimensions ? `${name}${JSON.stringify(dimensions)}` : name) ?? 0;
  }
}

export class MemoryKeyWrapper implements KeyWrapper {
  private readonly key = randomBytes(32);
  async generateDataKey(context: Record<string, string>) {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: aesGcmSeal(this.key, plaintext, canonicalContext(context)) };
  }
  async unwrapDataKey(wrapped: Buffer, context: Record<string, string>) {
    return aesGcmOpen(this.key, wrapped, canonicalContext(context));
  }
}

class RecordingSms implements SmsSender {
  readonly sent: Sms[] = [];
  failWith: Error | undefined;
  async send(sms: Sms) {
    if (this.failWith) throw this.failWith;
    this.sent.push(sms);
    return { messageId: String(this.sent.length) };
  }
  /** The code in the last SMS to `to`, as a person would read it. */
  lastCode(to: string): string {
    const last = this.sent.filter((s) => s.to === to).at(-1);
    const code = last?.text.match(/\b(\d{6,10})\b/)?.[1];
    if (!code) throw new Error('no code was sent');
    return code;
  }
}

/** A voice sender that records the calls (their words hold the code) or refuses them. */
export class RecordingVoice implements VoiceSender {
  readonly calls: { to: string; words: string }[] = [];
  refuse = false;
  async send(call: Parameters<VoiceSender['send']>[0]) {
    if (this.refuse) throw new ChannelRejected('provider_refused');
    this.calls.push({ to: call.to, words: call.script.words });
    return { messageId: `call-${this.calls.length}` };
  }
  lastCode() {
    const digits = this.calls.at(-1)?.words.match(/(\d[\s,.]*){6}/)?.[0].replace(/\D/g, '').slice(0, 6);
    if (!digits) throw new Error('no call');
    return digits;
  }
}

export class RecordingWhatsApp implements WhatsAppSender {
  readonly messages: WhatsAppTemplateMessage[] = [];
  async send(m: { message: WhatsAppTemplateMessage }) {
    this.messages.push(m.message);
    return { messageId: `wamid.${this.messages.length}` };
  }
  lastCode() {
    const code = this.messages.at(-1)?.template.components[0]?.parameters[0]?.text;
    if (!code) throw new Error('no WhatsApp message');
    return code;
  }
}

export class RecordingEmail implements EmailSender {
  readonly mails: OutgoingEmail[] = [];
  async send(m: OutgoingEmail) {
    this.mails.push(m);
    return { messageId: `ses-${Math.random().toString(36).slice(2)}` };
  }
  lastCode() {
    const code = this.mails.at(-1)?.text.match(/^\s+(\d{6,10})\s*$/m)?.[1];
    if (!code) throw new Error('no e-mail');
    return code;
  }
}

export function fakeOtpDeps(overrides: Partial<OtpDeps> = {}) {
  const clock = { now: Date.parse('2026-11-22T10:00:00Z') };
  const audit = new MemoryAuditLog();
  const store = new MemoryStore(audit);
  const sms = new RecordingSms();
  const consent = new MemoryConsentStore(audit);
  const signals = new RecordingSignals();
  const deps: OtpDeps = {
    store,
    fraud: new MemoryFraudStore(),
    envelope: new Envelope(new MemoryKeyWrapper()),
    keys: { codeHashKey: randomBytes(32), blindIndexKey: randomBytes(32) },
    sms,
    audit,
    consent,
    limits: DEFAULT_LIMITS,
    signals,
    allowedCountries: new Set(['GB', 'US', 'DE']),
    now: () => clock.now,
    ...overrides,
  };
  return { deps, store, sms, clock, audit, consent, signals };
}
