import { build } from 'esbuild';
import { ESBUILD_TARGET, esbuildDefines } from './constructs/sealtext-function.ts';

/** Bundles one function exactly as the stack does (NodejsFunction's options, the default SMS provider), for the bench and the bundle tests. */
export async function bundleFunction(name: string, outfile: string): Promise<void> {
  await bundleEntry(`functions/${name}.ts`, outfile);
}

/** Any entry point with the functions' bundling (the benchmark's baseline handler too). */
export async function bundleEntry(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true, platform: 'node', format: 'esm', target: ESBUILD_TARGET, minify: true, keepNames: true, outfile,
    mainFields: ['module', 'main'], logLevel: 'silent', define: esbuildDefines('sns'),
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
