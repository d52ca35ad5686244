import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shapeOf, upgradeProblems, type ReleaseShape } from '../../infra/release-shape.ts';
import { NO_BUNDLING, synthesized } from './synth.ts';

/**
 * A stack deployed from the previous release updates to this one without losing data: nothing
 * stateful replaced or dropped unless the release's notes declare it, and at most one index change
 * per table (releases/, infra/release-shape.ts, docs/operations.md "Upgrades").
 */
const read = <T>(file: string) => JSON.parse(readFileSync(new URL(`../../releases/${file}`, import.meta.url), 'utf8')) as T;
const version = read<{ version: string }>('../package.json').version;
const upgrade = read<{ from: string; declared: Record<string, string> }>(`${version}.upgrade.json`);
const declaredIds = (ids: string[]) => ids.filter((id) => Object.keys(upgrade.declared).some((d) => (d.startsWith('/') ? new RegExp(d.slice(1, -1)).test(id) : d === id)));
const current = () => shapeOf(version, synthesized({ ...NO_BUNDLING, stage: 'example-prod' }).template.toJSON() as Parameters<typeof shapeOf>[1]);

describe(`upgrading ${upgrade.from} → ${version}`, () => {
  it('replaces or drops nothing stateful that the release notes do not declare, and changes at most one index per table', () => {
    const before = read<ReleaseShape>(`${upgrade.from}.shape.json`);
    const now = current();
    const all = upgradeProblems(before, now, []);
    const undeclared = upgradeProblems(before, now, declaredIds(Object.keys(before.resources)));
    expect(undeclared).toEqual([]);
    // Every declaration is about something that does change: no stale notes.
    for (const d of Object.keys(upgrade.declared)) expect(all.some((p) => new RegExp(d.startsWith('/') ? d.slice(1, -1) : d).test(p.split(' ')[1]!)), d).toBe(true);
    // The tables, keys, pool and buckets are all still there, unchanged.
    for (const [id, r] of Object.entries(before.resources).filter(([, r]) => r.type !== 'AWS::Logs::LogGroup')) expect(now.resources[id], id).toEqual(r);
  });

  it('has this release\'s shape committed (npm run release:shape), for the next release to check against', () => {
    expect(read<ReleaseShape>(`${version}.shape.json`)).toEqual(current());
  });

  it('finds what it is for: a second index in one update, a replaced table, a dropped key', () => {
    const before = read<ReleaseShape>(`${upgrade.from}.shape.json`);
    const table = Object.entries(before.resources).find(([, r]) => r.type === 'AWS::DynamoDB::Table' && (r.indexes ?? []).length)!;
    const key = Object.entries(before.resources).find(([, r]) => r.type === 'AWS::KMS::Key')!;
    const broken: ReleaseShape = { version: 'x', resources: { ...before.resources, [table[0]]: { ...table[1], indexes: [...table[1].indexes!, 'a', 'b'] } } };
    delete broken.resources[key[0]];
    const problems = upgradeProblems(before, broken, []);
    expect(problems.some((p) => p.includes('2 global secondary indexes change in one update'))).toBe(true);
    expect(problems.some((p) => p.startsWith(`AWS::KMS::Key ${key[0]} is gone`))).toBe(true);
    const renamed: ReleaseShape = { version: 'x', resources: { ...before.resources, [table[0]]: { ...table[1], replacedBy: { ...table[1].replacedBy, TableName: 'other' } } } };
    expect(upgradeProblems(before, renamed, []).some((p) => p.includes('would be replaced'))).toBe(true);
  });

  it('keeps one shape per release, each with its upgrade notes after the first', () => {
    const shapes = readdirSync(new URL('../../releases/', import.meta.url)).filter((f) => f.endsWith('.shape.json'));
    expect(shapes).toContain(`${upgrade.from}.shape.json`);
    expect(shapes).toContain(`${version}.shape.json`);
  });
});
