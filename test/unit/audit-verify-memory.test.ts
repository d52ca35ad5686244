import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm run audit:verify` on a trail larger than memory allows: the check reads seals in order and
 * events hour by hour (shared/audit/verify-trail.ts), so its memory follows the busiest hour, not
 * the trail. 300,000 events (150 hours of 2,000) under a 64 MiB heap: holding them all does not fit;
 * checking them does, and a tampered event deep inside is still found.
 */
const script = fileURLToPath(new URL('../support/synthetic-trail.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', script, '150', '2000', ...args], { encoding: 'utf8', timeout: 240_000 });

describe('audit verification in bounded memory', () => {
  it('holding the whole trail at once does not fit in the heap the check is given', () => {
    const held = run('hold');
    expect(held.status).not.toBe(0);
    expect(held.stderr).toMatch(/heap out of memory|Allocation failed/i);
  }, 240_000);

  it('checks all 300,000 events and 150 seals in that heap, and finds one edited event among them', () => {
    const ok = run('verify');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ verdict: { intact: true, events: 300_000, seals: 150, unsealed: 0, expired: 0 } });
    const tampered = run('verify', 'e97-001234');
    expect(JSON.parse(tampered.stdout)).toMatchObject({ verdict: { intact: false, brokenAt: 'e97-001234', reason: expect.stringContaining('edited') } });
  }, 240_000);
});
