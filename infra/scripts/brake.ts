import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoBrakeStore } from '#shared/store/brake-store';

/**
 * `npm run brake -- lift GB` / `npm run brake -- trip GB`: ops' one command for the SMS brake.
 * Local stack by default (.local/stack.json); in AWS pass `--data-table <name>` with your credentials.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: 'string', default: process.env.SEALTEXT_LOCAL_DIR ?? '.local' }, 'data-table': { type: 'string' }, hours: { type: 'string', default: '24' } },
});
const [action, country] = positionals;
if (!['lift', 'trip'].includes(action ?? '') || !/^[A-Z]{2}$/.test(country ?? '')) {
  process.stderr.write('Usage: npm run brake -- lift|trip <COUNTRY> [--data-table <name>] [--hours 24]\n');
  process.exit(2);
}
let table = values['data-table'];
let client = new DynamoDBClient({});
if (!table) {
  const file = `${values.dir}/stack.json`;
  if (!existsSync(file)) {
    process.stderr.write(`No ${file}: start the local stack or pass --data-table.\n`);
    process.exit(2);
  }
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { dynamoEndpoint: string; tables: { Data: string } };
  table = stack.tables.Data;
  client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
const brakes = new DynamoBrakeStore(DynamoDBDocumentClient.from(client), table);
if (action === 'lift') await brakes.lift(country!);
else await brakes.pause(country!, Date.now() + Number(values.hours) * 3_600_000, 'manual', Date.now());
process.stdout.write(`${action === 'lift' ? 'Lifted' : 'Paused'} SMS to ${country}.\n`);
