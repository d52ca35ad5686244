/**
 * Counts every request an AWS SDK client sends, retries included (the middleware sits inside the
 * SDK's retry loop), by service and command: `DynamoDB.TransactWriteItems`. The local stack
 * exposes its tally at `GET /_local/aws-calls`; the benchmark and the tests read round trips from it.
 */
export type CallTally = Map<string, number>;

type Next = (args: unknown) => Promise<unknown>;
// The SDK's own middleware types differ per client; the counter needs only this much of them.
type Stack = { add(middleware: unknown, options: unknown): void };

export function countAwsCalls(client: { middlewareStack: Stack }, tally: CallTally, service: string): void {
  client.middlewareStack.add(
    (next: Next, context: { commandName?: string }) => async (args: unknown) => {
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      tally.set(`${service}.${command}`, (tally.get(`${service}.${command}`) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'sealtextCallCounter', override: true },
  );
}

export const totalCalls = (tally: CallTally, prefix = '') => [...tally].filter(([k]) => k.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
