import { buildApp } from './build-app.ts';

/** `cdk synth` / `cdk deploy` entry (cdk.json). */
buildApp().app.synth();
