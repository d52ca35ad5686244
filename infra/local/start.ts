import { parseArgs } from 'node:util';
import { JavaMissing } from './dynamodb.ts';
import { startLocalStack } from './stack.ts';

/** `npm start`: the local stack in the foreground; Ctrl-C stops it and DynamoDB Local with it. */
const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    dir: { type: 'string', default: process.env.SEALTEXT_LOCAL_DIR ?? '.local' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
  },
});

try {
  const stack = await startLocalStack({ dir: values.dir, port: Number(values.port), inMemory: values['in-memory'] });
  process.stdout.write(
    [
      `Sealtext local stack listening on ${stack.url}`,
      `  data:     ${values['in-memory'] ? 'in memory (gone on exit)' : stack.layout.dynamoDir}`,
      `  dynamodb: ${stack.dynamo.endpoint}`,
      `  clients:  ${stack.layout.clientsFile}`,
      `  outbox:   GET ${stack.url}/_local/outbox?to=+E164`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack...\n`);
    await stack.stop();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  stack.dynamo.process.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`DynamoDB Local stopped unexpectedly (exit ${code}); stopping.\n`);
      process.exit(1);
    }
  });
} catch (error) {
  if (error instanceof JavaMissing) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
