import { buildApp } from './build-app.ts';
import { StageSettingsError } from './settings.ts';

/** `cdk synth` / `cdk deploy` entry (cdk.json). Bad stage settings print their list, not a stack trace. */
try {
  buildApp().app.synth();
} catch (error) {
  if (!(error instanceof StageSettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
