import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/build-app.ts';

/** One synthesized app per context, shared by the infra tests (bundling every function is the slow part). */
const cache = new Map<string, ReturnType<typeof synth>>();

/** The context the CLI would pass (cdk.json: feature flags, defaults), so tests see what `cdk synth` sees. */
const cdkJsonContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

function synth(context: Record<string, unknown>, stages?: Record<string, Record<string, unknown>>) {
  let stagesDir: string | undefined;
  if (stages) {
    stagesDir = mkdtempSync(join(tmpdir(), 'sealtext-stages-'));
    for (const [stage, settings] of Object.entries(stages)) writeFileSync(join(stagesDir, `${stage}.json`), JSON.stringify(settings));
  }
  const built = buildApp({ ...cdkJsonContext, ...context }, stagesDir ? { stagesDir } : {});
  // The stack and its nested stacks (channels, monitoring) as one template: the tests assert on resources
  // wherever they live. A nested stack's parameters are replaced by what its parent passes, so a reference
  // to a table or a log group reads the same from either side.
  const main = Template.fromStack(built.stack).toJSON();
  const nested = built.stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  const parts = [main, ...nested.map((n) => withParameters(Template.fromStack(n).toJSON(), parametersOf(main, n)))];
  const template = Template.fromJSON({ ...parts[0], Resources: Object.assign({}, ...parts.map((p) => p.Resources as object)) as object });
  const nag = new AwsSolutionsChecks().validateScope(built.app);
  return { ...built, template, nag };
}

function parametersOf(parent: Record<string, unknown>, nested: NestedStack): Record<string, unknown> {
  const resource = nested.nestedStackResource!;
  const id = Stack.of(resource).resolve((resource as unknown as { logicalId: string }).logicalId) as string;
  const resources = parent.Resources as Record<string, { Properties?: { Parameters?: Record<string, unknown> } }>;
  return resources[id]?.Properties?.Parameters ?? {};
}

function withParameters(template: Record<string, unknown>, parameters: Record<string, unknown>): Record<string, unknown> {
  const replace = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(replace);
    if (v === null || typeof v !== 'object') return v;
    const ref = (v as { Ref?: unknown }).Ref;
    if (Object.keys(v).length === 1 && typeof ref === 'string' && ref in parameters) return parameters[ref];
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
  };
  return replace(template) as Record<string, unknown>;
}

/** `stages`: stage files to synthesize from instead of the committed `stages/` (a temp dir of `<stage>.json`). */
export function synthesized(context: Record<string, unknown> = {}, stages?: Record<string, Record<string, unknown>>) {
  const key = JSON.stringify([context, stages]);
  if (!cache.has(key)) cache.set(key, synth(context, stages));
  return cache.get(key)!;
}

/** Skips asset bundling: for tests that look only at resource properties. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

type Statement = { Sid?: string; Effect: string; Action?: string | string[]; NotAction?: unknown; Resource?: unknown; NotResource?: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Every identity-policy statement in the template, with the logical id of the role it is attached to. */
export function roleStatements(template: Template): { role: string; statement: Statement }[] {
  const out: { role: string; statement: Statement }[] = [];
  for (const [, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref);
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) for (const role of roles) out.push({ role, statement });
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const p of (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
      for (const statement of p.PolicyDocument.Statement) out.push({ role: id, statement });
    }
  }
  return out;
}

export const actionsOf = (s: Statement) => (s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Logical id of the role of our function `functions/<name>.ts`. */
export function roleOf(template: Template, name: string): string {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(`Fn${name.replace(/-/g, '')}Fn`));
  if (!fn) throw new Error(`no function ${name}`);
  return (fn[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}
