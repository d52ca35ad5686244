import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditItems } from '#shared/adapters/store/audit-items';
import { DynamoFraudStore } from '#shared/adapters/store/fraud-store';
import { pick, stageOutputs } from './stage-outputs.ts';

/**
 * `npm run brake -- lift GB` / `npm run brake -- trip GB`: ops pause or resume SMS to a whole country
 * by hand (nothing does it automatically; `PUT /v1/fraud/blocks` does the same over the API).
 * Local stack by default (.local/stack.json); in AWS pass `--stage <stage>` (the tables come from
 * the stack's outputs) or `--data-table <name> --audit-table <name>`, with your credentials.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: 'string', default: process.env.SEALTEXT_LOCAL_DIR ?? '.local' }, stage: { type: 'string' }, 'data-table': { type: 'string' }, 'audit-table': { type: 'string' }, hours: { type: 'string', default: '24' } },
});
const [action, country] = positionals;
if (!['lift', 'trip'].includes(action ?? '') || !/^[A-Z]{2}$/.test(country ?? '')) {
  process.stderr.write('Usage: npm run brake -- lift|trip <COUNTRY> [--stage <stage> | --data-table <name> --audit-table <name>] [--hours 24]\n');
  process.exit(2);
}
if (values.stage) {
  const { DataTable, AuditTable } = pick(await stageOutputs(values.stage), 'DataTable', 'AuditTable');
  values['data-table'] = DataTable;
  values['audit-table'] = AuditTable;
}
let table = values['data-table'];
let client = new DynamoDBClient({});
if (!table) {
  const file = `${values.dir}/stack.json`;
  if (!existsSync(file)) {
    process.stderr.write(`No ${file}: start the local stack or pass --data-table.\n`);
    process.exit(2);
  }
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { dynamoEndpoint: string; tables: { Data: string; Audit: string } };
  table = stack.tables.Data;
  values['audit-table'] = stack.tables.Audit;
  client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
if (!values['audit-table']) {
  process.stderr.write('Pass --audit-table <name> too: every brake change is audited with it.\n');
  process.exit(2);
}
const doc = DynamoDBDocumentClient.from(client);
const blocks = new DynamoFraudStore(doc, table, new AuditItems(doc, values['audit-table'], Number(process.env.AUDIT_RETENTION_DAYS ?? 400)));
const event = { actor: 'ops', action: action === 'lift' ? 'fraud.unblock' : 'fraud.block', outcome: `country:${country!}` } as const;
const now = Date.now();
if (action === 'lift') await blocks.lift('country', country!, event);
else await blocks.put({ kind: 'country', key: country!, reason: 'manual', since: now, until: now + Number(values.hours) * 3_600_000 }, event);
process.stdout.write(`${action === 'lift' ? 'Lifted' : 'Paused'} SMS to ${country}.\n`);
