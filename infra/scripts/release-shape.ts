import { NestedStack } from 'aws-cdk-lib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
const assembly = app.synth();
type Template = Parameters<typeof shapeOf>[1];
// Stateful resources in nested stacks (the fallback queues in Channels) count as much as the parent's.
const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
const parts = [assembly.getStackArtifact(stack.artifactId).template as Template, ...nested.map((n) => JSON.parse(readFileSync(join(assembly.directory, n.templateFile), 'utf8')) as Template)];
const template = { ...parts[0]!, Resources: Object.assign({}, ...parts.map((p) => p.Resources)) as Template['Resources'] };
writeFileSync(new URL(`../../releases/${version}.shape.json`, import.meta.url), `${JSON.stringify(shapeOf(version, template), null, 1)}\n`);
console.log(`wrote releases/${version}.shape.json`);
