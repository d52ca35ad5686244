import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Starts the local stack exactly as `npm start` does (in memory, on a free port, in a temporary
 * .local directory) and records everything it prints, so tests can check the logs too.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'sealtext-api-'));
  const logFile = join(dir, 'stack.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'infra/local/start.ts', '--in-memory', '--dir', dir, '--port', '0'], {
    cwd: project.config.root,
    env: {
      ...process.env,
      // A workflow's 15-second timeout passes in 1.5 s.
      FALLBACK_DELAY_SCALE: '0.1',
      // The contract tests run in parallel with one client, so shared windows (client, prefix,
      // country) would couple them; end-user windows count only `signals`, so they keep their
      // defaults; the simulator needs every default it is about.
      ...(project.name === 'simulator'
        ? {}
        : {
            RATE_LIMITS: JSON.stringify({
              client: { limit: 100_000, windowSeconds: 60 },
              prefix: { limit: 100_000, windowSeconds: 3600 },
              country: { limit: 100_000, windowSeconds: 3600 },
            }),
          }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const [url, dynamoEndpoint] = await new Promise<[string, string]>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`local stack did not start:\n${seen}`)), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(seen)?.[1];
      const dynamo = /dynamodb: (http:\/\/\S+)/.exec(seen)?.[1];
      if (url && dynamo) {
        clearTimeout(timer);
        resolve([url, dynamo]);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`local stack exited (${code}):\n${seen}`)));
  });
  project.provide('apiUrl', url);
  project.provide('stackDynamoEndpoint', dynamoEndpoint);
  project.provide('localDir', dir);
  project.provide('stackLog', logFile);
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    assertNoSecretsLogged(logFile, dir);
  };
}

/**
 * Everything the stack printed while a whole suite ran, but for the outbox's own echo of the SMS
 * (the local stand-in for the phone): no full number, no bearer token, no client secret, no key,
 * no webhook signing secret.
 * Only counts are reported, never what was found.
 */
export function assertNoSecretsLogged(logFile: string, dir: string) {
  const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => !l.startsWith('[outbox]'));
  const text = lines.join('\n');
  const clients = JSON.parse(readFileSync(join(dir, 'clients.json'), 'utf8')) as { clientSecret: string }[];
  const keys = JSON.stringify(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')));
  const keyMaterial = [...keys.matchAll(/"([A-Za-z0-9+/=_-]{32,})"/g)].map((m) => m[1]!);
  const findings = {
    fullNumbers: (text.match(/\+\d{8,15}\b/g) ?? []).length,
    bearerTokens: (text.match(/eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]+/g) ?? []).length,
    clientSecrets: clients.filter((c) => text.includes(c.clientSecret)).length,
    keyMaterial: keyMaterial.filter((k) => text.includes(k)).length,
    webhookSecrets: (text.match(/whsec_[A-Za-z0-9+/]{20,}/g) ?? []).length,
  };
  if (Object.values(findings).some((n) => n > 0)) throw new Error(`The stack logged secrets: ${JSON.stringify(findings)}`);
}

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    /** The stack's own DynamoDB Local, for tests that must age an item (expiry). */
    stackDynamoEndpoint: string;
    localDir: string;
    stackLog: string;
  }
}
