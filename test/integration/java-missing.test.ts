import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm start without Java', () => {
  it('says clearly what is missing and how to install it, and exits with code 2', () => {
    // PATH with Node only: no java.
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', '--in-memory', '--dir', mkdtempSync(join(tmpdir(), 'sealtext-nojava-'))], {
      env: { ...process.env, PATH: dirname(process.execPath) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('DynamoDB Local needs Java 17 or newer');
    expect(out.stderr).toContain('apt-get install -y openjdk-17-jre-headless');
  });
});
