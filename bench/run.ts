import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CachingKeyWrapper } from '#shared/crypto/caching-key-wrapper';
import { Envelope } from '#shared/crypto/envelope';
import { codeHash, generateCode } from '#shared/otp/code';
import { FUNCTION_NAMES } from '../infra/routes.ts';
import { bundleFunction } from '../infra/bundle.ts';
import { MemoryKeyWrapper } from '../test/support/fake-otp-deps.ts';
import { httpBench } from './http-load.ts';

/**
 * `npm run bench`: bundle sizes per function (the deployed bundling), cold import time and memory of
 * the heaviest handlers, the per-request crypto costs, DynamoDB round trips per endpoint and a
 * 64-client HTTP load run on the local stack. Each measurement has a budget; the run
 * fails when one is exceeded. Times are compared as ratios measured in this run, or with generous
 * absolute budgets: these machines are shared and noisy.
 */
type Row = { what: string; value: number; unit: string; budget: number; ok: boolean };
const rows: Row[] = [];
const record = (what: string, value: number, unit: string, budget: number) => rows.push({ what, value, unit, budget, ok: value <= budget });

const out = mkdtempSync(join(tmpdir(), 'sealtext-bench-'));
const bundles: Record<string, string> = {};
for (const name of FUNCTION_NAMES) {
  const file = join(out, `${name}.mjs`);
  await bundleFunction(name, file);
  bundles[name] = file;
  record(`bundle ${name}`, Math.round(statSync(file).size / 1024), 'KiB', 1536);
}

// Cold start: a fresh Node process importing the bundle (as Lambda's init does), median of 5.
const coldImport = (file: string) => {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});const ms=performance.now()-t;console.log(JSON.stringify({ms,rss:process.memoryUsage().rss}))`;
  const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'eu-west-1' } }).toString()) as { ms: number; rss: number });
  runs.sort((a, b) => a.ms - b.ms);
  return runs[2]!;
};
const baselineFile = join(out, 'baseline.mjs');
writeFileSync(baselineFile, 'export const handler = async () => ({ statusCode: 200 });');
const baseline = coldImport(baselineFile);
for (const name of ['issue-otp', 'verify-otp', 'send-message', 'recipient-page']) {
  const cold = coldImport(bundles[name]!);
  record(`cold import ${name}`, Math.round(cold.ms), 'ms', 1500);
  record(`cold import ${name} ÷ empty module`, Math.round(cold.ms / Math.max(baseline.ms, 0.1)), 'x', 400);
  record(`rss after import ${name}`, Math.round(cold.rss / 1048576), 'MiB', 160);
}

// Per-request crypto, ratios in one run.
const perOp = async (n: number, f: () => unknown) => {
  const t = performance.now();
  for (let i = 0; i < n; i++) await f();
  return ((performance.now() - t) * 1000) / n; // µs
};
const key = randomBytes(32);
const hashUs = await perOp(20_000, () => codeHash(key, 'AAAAAAAAAAAAAAAAAAAAAA', '123456', undefined));
const codeUs = await perOp(20_000, () => generateCode(6));
const ctx = (i: number) => ({ app: 'sealtext' as const, purpose: 'message-body', record: `r${i}` });
const plain = new Envelope(new MemoryKeyWrapper());
const cached = new Envelope(new CachingKeyWrapper(new MemoryKeyWrapper()));
let i = 0;
const sealUs = await perOp(5_000, () => plain.seal('Your new card PIN is 4921', ctx(i++)));
const sealCachedUs = await perOp(5_000, () => cached.seal('Your new card PIN is 4921', ctx(i++)));
record('code hash (HMAC-SHA256)', Number(hashUs.toFixed(1)), 'µs', 200);
record('code generation (6 digits, CSPRNG)', Number(codeUs.toFixed(1)), 'µs', 200);
record('envelope seal, key-service call each time', Number(sealUs.toFixed(1)), 'µs', 2000);
record('envelope seal with the data-key cache ÷ without', Number((sealCachedUs / sealUs).toFixed(2)), 'x', 1);

// Round trips per endpoint and a 64-client load run on the local stack (DynamoDB Local).
const http = await httpBench();
record('DynamoDB calls: issue (plus 1 SMS)', http.issue, 'calls', 1);
record('SMS published by one issue', http.sms, 'sms', 1);
record('DynamoDB calls: right code', http.right, 'calls', 1);
record('DynamoDB calls: wrong code', http.wrong, 'calls', 2);
const load = http.load;
record(`64 clients, ${load.requests} requests: 5xx answers`, Object.entries(load.statuses).filter(([s]) => s >= '500').reduce((a, [, n]) => a + n, 0), 'answers', 0);
record('64 clients: DynamoDB calls per accepted action', Number(load.callsPerAction.toFixed(2)), 'calls', 1.2);
record('64 clients: audit events broken or left unsealed after sealing', load.verdict.intact ? load.verdict.unsealed : 1_000_000, 'events', 0);
process.stdout.write(
  `load: ${load.requests} requests in ${load.seconds.toFixed(1)} s (${load.perSecond.toFixed(0)}/s), p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms, statuses ${JSON.stringify(load.statuses)}, audit ${JSON.stringify(load.verdict)}\n\n`,
);

const width = Math.max(...rows.map((r) => r.what.length));
process.stdout.write(`${'measure'.padEnd(width)}  value      budget\n`);
for (const r of rows) process.stdout.write(`${r.what.padEnd(width)}  ${`${r.value} ${r.unit}`.padEnd(10)} ${r.ok ? '≤' : 'EXCEEDS'} ${r.budget} ${r.unit}\n`);
const failed = rows.filter((r) => !r.ok);
if (failed.length) {
  process.stderr.write(`\n${failed.length} budget(s) exceeded\n`);
  process.exit(1);
}
