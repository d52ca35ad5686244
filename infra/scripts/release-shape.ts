import { readFileSync, writeFileSync } from 'node:fs';
import { buildApp } from '../build-app.ts';
import { shapeOf } from '../release-shape.ts';

/**
 * `npm run release:shape`: writes releases/<version>.shape.json for the version in package.json,
 * from the example production stage (stages/example-prod.json) synthesized without bundling. Run it
 * when cutting a release; the upgrade test checks the next release against it.
 */
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const cdk = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;
const { app, stack } = buildApp({ ...cdk, stage: 'example-prod', 'aws:cdk:bundling-stacks': [] });
const template = app.synth().getStackArtifact(stack.artifactId).template as Parameters<typeof shapeOf>[1];
writeFileSync(new URL(`../../releases/${version}.shape.json`, import.meta.url), `${JSON.stringify(shapeOf(version, template), null, 1)}\n`);
console.log(`wrote releases/${version}.shape.json`);
