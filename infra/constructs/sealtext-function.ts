import { Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal, type AddToPrincipalPolicyResult, type RoleProps } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { logGroupArn, nagLogGroupArn } from './log-group-arn.ts';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The Lambda runtime; `package.json` pins the same Node major for tests and the local stack. */
const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';
/** What a stage's bundles are built for: its SMS provider, and whether it keeps a retention archive in S3. */
export type StageBuild = { smsProvider: 'sns' | 'eum'; archive: boolean; voice?: boolean; whatsapp?: boolean; notify?: boolean; email?: boolean };
/** The stage settings' defaults: SNS, no archive. */
export const DEFAULT_BUILD: StageBuild = { smsProvider: 'sns', archive: false };
/**
 * Build-time constants, so a bundle carries only the clients its stage can use: one SMS provider's,
 * and the S3 client for the archive only where there is one (shared/wiring/runtime.ts, shared/wiring/archive-runtime.ts).
 */
export const esbuildDefines = (build: StageBuild): Record<string, string> => ({
  'process.env.SEALTEXT_SMS_PROVIDER': JSON.stringify(build.smsProvider),
  'process.env.SEALTEXT_ARCHIVE': JSON.stringify(build.archive ? 's3' : 'none'),
  'process.env.SEALTEXT_VOICE': JSON.stringify(build.voice ? 'eum' : 'none'),
  'process.env.SEALTEXT_WHATSAPP': JSON.stringify(build.whatsapp ? 'social' : 'none'),
  'process.env.SEALTEXT_NOTIFY': JSON.stringify(build.notify ? 'notify' : 'none'),
  // E-mail's CDK wiring (the SES identity and configuration set) is issue 24's next step: no stage builds it in yet.
  'process.env.SEALTEXT_EMAIL': JSON.stringify(build.email ? 'ses' : 'none'),
});

export type SealtextFunctionProps = {
  /** `functions/<name>.ts` */
  name: string;
  /** `sealtext-<stage>-<name>`: the name operators see, and the prefix of its log streams. */
  stage: string;
  environment: Record<string, string>;
  /** The stage's one log group for every function (log streams carry the function's name). */
  logGroup: LogGroup;
  memorySize?: number;
  timeout?: Duration;
  reservedConcurrentExecutions?: number;
  /** What the stage's bundles are built for (esbuildDefines); default DEFAULT_BUILD. */
  build?: StageBuild;
  /**
   * Keep the statements in a policy apart from the role: for a function whose role a resource policy
   * names (the sealer's, in the signing key's policy), which the role's own statements name back.
   */
  separatePolicy?: boolean;
};

/**
 * A function's role holding its statements inline, in the role itself, instead of in a separate
 * AWS::IAM::Policy as CDK's grants would: one resource per function fewer (the stack's room to grow,
 * docs/deploy.md), and a function never runs before its permissions are attached. Same IAM limits
 * (both are inline policies of the role).
 */
class InlinePolicyRole extends Role {
  private readonly statements: PolicyDocument;

  constructor(scope: Construct, id: string, props: RoleProps) {
    const statements = new PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, sealtext: statements } });
    this.statements = statements;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.statements.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/**
 * Every Sealtext function, one way: arm64, ESM, minified with source maps, the AWS SDK bundled
 * (one version, no runtime surprises), named sealtext-<stage>-<name>, logging to the stage's log group. Bundling uses the
 * local esbuild, never Docker.
 */
export class SealtextFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SealtextFunctionProps) {
    super(scope, id);
    this.logGroup = props.logGroup;
    const functionName = `sealtext-${props.stage}-${props.name}`;
    const roleProps = { assumedBy: new ServicePrincipal('lambda.amazonaws.com') };
    const role = props.separatePolicy ? new Role(this, 'Role', roleProps) : new InlinePolicyRole(this, 'Role', roleProps);
    // Its own role with no managed policy: it may write its own log streams and nothing else until
    // granted. In a log group the stage's functions share, Lambda names each stream
    // YYYY/MM/DD/<function name>[<version>]<environment>: writing is allowed under its own name only.
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'OwnLogStreams', actions: ['logs:CreateLogStream'], resources: [logGroupArn(this.logGroup.logGroupName)] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [logGroupArn(`${this.logGroup.logGroupName}:log-stream:*/${functionName}[*`)] }));
    const groupStack = Stack.of(this.logGroup);
    const logicalId = groupStack.getLogicalId(this.logGroup.node.defaultChild as never);
    // A function in a nested stack sees the shared group through the parameter CDK passes it.
    const groupId = groupStack === Stack.of(this) ? logicalId : `referenceto${Names.uniqueId(this.logGroup.node.defaultChild!)}Ref`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagLogGroupArn(`<${groupId}>:log-stream:*/${functionName}[*`)}]`,
      reason: 'Log streams of this function only: Lambda names them YYYY/MM/DD/<function name>[version]<id> in the shared log group.',
    });
    this.fn = new NodejsFunction(this, 'Fn', {
      functionName,
      entry: `${repoRoot}functions/${props.name}.ts`,
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup: this.logGroup,
      // No X-Ray: nothing that names a person may reach a trace (docs/security.md).
      tracing: Tracing.DISABLED,
      role,
      ...(props.reservedConcurrentExecutions ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: true,
        keepNames: true,
        externalModules: [],
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        forceDockerBundling: false,
        define: esbuildDefines(props.build ?? DEFAULT_BUILD),
      },
    });
  }
}
