import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/**
 * A deployed stage's stack outputs, by name (docs/deploy.md, "Outputs"), for the ops scripts: with
 * `--stage prod` they find the tables, keys and buckets themselves, in the stage's own region
 * (`stages/prod.json`), with the caller's credentials.
 */
export async function stageOutputs(stage: string, client?: CloudFormationClient): Promise<Record<string, string>> {
  const cf = client ?? new CloudFormationClient({ ...(stageRegion(stage) ? { region: stageRegion(stage) } : {}) });
  const stackName = `Sealtext-${stage}`;
  const out = await cf.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    throw new Error(`Could not read the stack ${stackName} (${(error as Error).name}: ${(error as Error).message}); is it deployed, in this region and account?`);
  });
  const outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]));
  if (!Object.keys(outputs).length) throw new Error(`The stack ${stackName} has no outputs: deploy this release first`);
  return outputs;
}

/** The outputs a script needs, or an error naming the missing ones. */
export function pick<K extends string>(outputs: Record<string, string>, ...names: K[]): Record<K, string> {
  const missing = names.filter((n) => !outputs[n]);
  if (missing.length) throw new Error(`The stack has no output ${missing.join(', ')}: deploy this release first`);
  return Object.fromEntries(names.map((n) => [n, outputs[n]!])) as Record<K, string>;
}

function stageRegion(stage: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(new URL(`../../stages/${stage}.json`, import.meta.url), 'utf8')) as { region?: string }).region;
  } catch {
    return undefined;
  }
}
