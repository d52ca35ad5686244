import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LocalSealArchive, S3SealArchive } from '#shared/adapters/archive/seal-archives';
import { verifyAuditTrail } from '#shared/audit/trail';
import { KmsSealSigner, LocalSealSigner } from '#shared/adapters/crypto/seal-signers';
import { DynamoAuditTrailStore } from '#shared/adapters/store/audit-trail-store';
import { pick, stageOutputs } from './stage-outputs.ts';

/**
 * `npm run audit:verify`: checks every seal and sealed event of the audit trail, offline from the
 * table and the seal archive, and names the first thing that was edited, deleted, inserted or forged.
 * By default it checks the local stack (.local/: stack.json, the signing key, seals/); in AWS pass
 * `--stage <stage>` (the table, key and bucket come from the stack's outputs) or `--audit-table`,
 * `--seal-bucket` and `--signing-key` (the KMS key ARN), with your credentials.
 * Exit code 0 when intact, 1 when broken, 2 when it could not check.
 */
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: process.env.SEALTEXT_LOCAL_DIR ?? '.local' },
    stage: { type: 'string' },
    'audit-table': { type: 'string' },
    'seal-bucket': { type: 'string' },
    'signing-key': { type: 'string' },
  },
});

if (values.stage) {
  try {
    const o = pick(await stageOutputs(values.stage), 'AuditTable', 'SealSigningKeyArn', 'SealBucket');
    Object.assign(values, { 'audit-table': o.AuditTable, 'signing-key': o.SealSigningKeyArn, 'seal-bucket': o.SealBucket });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
let doc: DynamoDBDocumentClient;
let deps: Omit<Parameters<typeof verifyAuditTrail>[0], 'store'>;
let table = values['audit-table'];
if (table) {
  if (!values['signing-key']) {
    process.stderr.write('Pass --signing-key <KMS key ARN> (and --seal-bucket <bucket>) with --audit-table.\n');
    process.exit(2);
  }
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  deps = {
    key: new KmsSealSigner(new KMSClient({}), values['signing-key']),
    ...(values['seal-bucket'] ? { archive: new S3SealArchive(new S3Client({}), values['seal-bucket']) } : {}),
    now: Date.now,
  };
} else {
  const file = `${values.dir}/stack.json`;
  if (!existsSync(file)) {
    process.stderr.write(`No ${file}: start the local stack (npm start) or pass --audit-table and --signing-key.\n`);
    process.exit(2);
  }
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { dynamoEndpoint: string; tables: { Audit: string } };
  table = stack.tables.Audit;
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  deps = { key: new LocalSealSigner(`${values.dir}/audit-signing-key.pem`), archive: new LocalSealArchive(`${values.dir}/seals`), now: Date.now };
}
try {
  const verdict = await verifyAuditTrail({ ...deps, store: new DynamoAuditTrailStore(doc, table) });
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
  process.exit(verdict.intact ? 0 : 1);
} catch (error) {
  process.stderr.write(`Could not read the audit trail: ${(error as Error).name}: ${(error as Error).message}\n`);
  process.exit(2);
}
