import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SealtextStack } from './sealtext-stack.ts';
import { readStageSettings } from './settings.ts';

/** The CDK app with cdk-nag attached. Settings come from context: `-c stage=prod -c allowedCountries=GB,IE`. */
export function buildApp(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const settings = readStageSettings((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext() as Record<string, unknown>));
  const stack = new SealtextStack(app, `Sealtext-${settings.stage}`, {
    settings,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Sealtext ${settings.stage}: secure OTP and sealed messages over SMS`,
    tags: { app: 'sealtext', stage: settings.stage },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
}
