import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The Lambda runtime; `package.json` pins the same Node major for tests and the local stack. */
const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';
/** What a stage's bundles are built for: its SMS provider, and whether it keeps a retention archive in S3. */
export type StageBuild = { smsProvider: 'sns' | 'eum'; archive: boolean };
/** The stage settings' defaults: SNS, no archive. */
export const DEFAULT_BUILD: StageBuild = { smsProvider: 'sns', archive: false };
/**
 * Build-time constants, so a bundle carries only the clients its stage can use: one SMS provider's,
 * and the S3 client for the archive only where there is one (shared/wiring/runtime.ts, shared/wiring/archive-runtime.ts).
 */
export const esbuildDefines = (build: StageBuild): Record<string, string> => ({
  'process.env.SEALTEXT_SMS_PROVIDER': JSON.stringify(build.smsProvider),
  'process.env.SEALTEXT_ARCHIVE': JSON.stringify(build.archive ? 's3' : 'none'),
});

export type SealtextFunctionProps = {
  /** `functions/<name>.ts` */
  name: string;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  memorySize?: number;
  timeout?: Duration;
  reservedConcurrentExecutions?: number;
  /** What the stage's bundles are built for (esbuildDefines); default DEFAULT_BUILD. */
  build?: StageBuild;
};

/**
 * Every Sealtext function, one way: arm64, ESM, minified with source maps, the AWS SDK bundled
 * (one version, no runtime surprises), an explicit log group with retention. Bundling uses the
 * local esbuild, never Docker.
 */
export class SealtextFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SealtextFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // Its own role with no managed policy: it may write to its own log group and nothing else until granted.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as never)}.Arn>:*]`,
      reason: 'Log streams inside this function\'s own log group; stream names are chosen by Lambda.',
    });
    this.fn = new NodejsFunction(this, 'Fn', {
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
