import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditReader } from '#shared/store/audit-reader';

/**
 * `npm run audit:verify`: walks every audit chain and names the first event that was edited,
 * deleted or reordered. By default it checks the running local stack (.local/stack.json); for AWS
 * pass the table names (`--data-table`, `--audit-table`) and use your AWS credentials and region.
 * Exit code 0 when intact, 1 when broken, 2 when it could not check.
 */
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: process.env.SEALTEXT_LOCAL_DIR ?? '.local' },
    endpoint: { type: 'string' },
    'data-table': { type: 'string' },
    'audit-table': { type: 'string' },
  },
});

let target = { endpoint: values.endpoint, data: values['data-table'], audit: values['audit-table'] };
if (!target.data || !target.audit) {
  const file = `${values.dir}/stack.json`;
  if (!existsSync(file)) {
    process.stderr.write(`No ${file}: start the local stack (npm start) or pass --data-table and --audit-table.\n`);
    process.exit(2);
  }
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { dynamoEndpoint: string; tables: { Data: string; Audit: string } };
  target = { endpoint: stack.dynamoEndpoint, data: stack.tables.Data, audit: stack.tables.Audit };
}

const local = target.endpoint !== undefined;
const raw = new DynamoDBClient(local ? { endpoint: target.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});
const reader = new DynamoAuditReader(DynamoDBDocumentClient.from(raw), { data: target.data!, audit: target.audit! });
try {
  const verdict = await reader.verifyAll();
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
  process.exit(verdict.intact ? 0 : 1);
} catch (error) {
  process.stderr.write(`Could not read the audit table: ${(error as Error).name}\n`);
  process.exit(2);
}
