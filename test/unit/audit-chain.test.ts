import { describe, expect, it } from 'vitest';
import { chainOf, eventHash, GENESIS_HASH, type AuditEvent } from '#shared/audit/event';
import { verifyChain } from '#shared/audit/verify-chain';
import { keywordOf } from '#shared/inbound/keywords';

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const unhashed = {
      chain: 'c1', seq, id: `c1-${seq}`, at: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(), actor: 'app-a',
      action: 'otp.issue' as const, outcome: 'sent', subjectIndex: 'idx', subjectMask: '+4474******56', prevHash: events.at(-1)?.hash ?? GENESIS_HASH,
    };
    events.push({ ...unhashed, hash: eventHash(unhashed) });
  }
  return events;
}
const head = (events: AuditEvent[]) => ({ seq: events.at(-1)!.seq, hash: events.at(-1)!.hash });

describe('verifyChain', () => {
  it('accepts an untouched chain', () => {
    const events = chain(5);
    expect(verifyChain('c1', events, head(events))).toEqual({ intact: true, events: 5 });
  });

  it('names an edited event', () => {
    const events = chain(5);
    const tampered = events.map((e) => (e.seq === 3 ? { ...e, outcome: 'approved' } : e));
    expect(verifyChain('c1', tampered, head(events))).toMatchObject({ intact: false, brokenAt: 'c1-3' });
  });

  it('names the gap a deleted event leaves, and a deleted last event', () => {
    const events = chain(5);
    expect(verifyChain('c1', events.filter((e) => e.seq !== 2), head(events))).toMatchObject({ intact: false, brokenAt: 'c1-3' });
    expect(verifyChain('c1', events.slice(0, 4), head(events))).toMatchObject({ intact: false, brokenAt: 'c1-5' });
  });

  it('names reordered events even when their seqs are renumbered', () => {
    const events = chain(4);
    const swapped = [events[0]!, { ...events[2]!, seq: 2, id: 'c1-2' }, { ...events[1]!, seq: 3, id: 'c1-3' }, events[3]!];
    expect(verifyChain('c1', swapped, head(events))).toMatchObject({ intact: false, brokenAt: 'c1-2' });
  });

  it('keeps one subject in one chain', () => {
    expect(chainOf('abc')).toBe(chainOf('abc'));
    expect(new Set(Array.from({ length: 200 }, (_, i) => chainOf(`s${i}`))).size).toBe(8);
  });
});

describe('inbound keywords', () => {
  it('matches the contract\'s keywords ignoring case and surrounding spaces', () => {
    for (const stop of ['STOP', ' stop ', 'Stopall', 'unsubscribe', 'CANCEL', 'end', 'QUIT', 'optout', 'OPT-OUT', 'remove', 'Arret']) expect(keywordOf(stop), stop).toBe('stop');
    for (const start of ['START', 'unstop', ' Yes']) expect(keywordOf(start)).toBe('start');
    for (const help of ['HELP', 'info ']) expect(keywordOf(help)).toBe('help');
    for (const other of ['stop it', 'please stop', 'STOP!', '', 'yes please']) expect(keywordOf(other), other).toBeUndefined();
  });
});
