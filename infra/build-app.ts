import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SealtextStack } from './sealtext-stack.ts';
import { readStageSettings, StageSettingsError, type SettingsSource } from './settings.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const STAGES_DIR = join(repoRoot, 'stages');

/** `stages/<stage>.json`, if there is one; bad JSON names the file. */
function stageFile(stagesDir: string, stage: string): SettingsSource['file'] {
  const path = join(stagesDir, `${stage}.json`);
  const shown = relative(repoRoot, path).startsWith('..') ? path : relative(repoRoot, path);
  if (!existsSync(path)) return undefined;
  let settings: unknown;
  try {
    settings = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StageSettingsError(stage, [`  ${shown}: not valid JSON (${(error as Error).message})`]);
  }
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) throw new StageSettingsError(stage, [`  ${shown}: must hold one JSON object of settings`]);
  return { path: shown, settings: settings as Record<string, unknown> };
}

/**
 * The CDK app with cdk-nag attached. The stage comes from `-c stage=<stage>` (cdk.json: dev), its
 * settings from `stages/<stage>.json` (docs/deploy.md). `stagesDir` is for tests.
 */
export function buildApp(context: Record<string, unknown> = {}, options: { stagesDir?: string } = {}) {
  const app = new App({ context });
  const all = app.node.getAllContext() as Record<string, unknown>;
  const stage = typeof all.stage === 'string' && all.stage ? all.stage : 'dev';
  const settings = readStageSettings(stage, { file: stageFile(options.stagesDir ?? STAGES_DIR, stage), context: all });
  const stack = new SealtextStack(app, `Sealtext-${settings.stage}`, {
    settings,
    // The stage's own region and account where it names them; dev falls back to the shell's.
    env: { account: settings.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: settings.region ?? process.env.CDK_DEFAULT_REGION },
    description: `Sealtext ${settings.stage}: secure OTP and sealed messages over SMS`,
    tags: { app: 'sealtext', stage: settings.stage },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
}
