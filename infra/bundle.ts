import { build } from 'esbuild';
import { DEFAULT_BUILD, ESBUILD_TARGET, esbuildDefines, type StageBuild } from './constructs/sealtext-function.ts';

/** Bundles one function exactly as the stack does (NodejsFunction's options; a default stage unless told), for the bench and the bundle tests. */
export async function bundleFunction(name: string, outfile: string, stage: StageBuild = DEFAULT_BUILD): Promise<void> {
  await bundleEntry(`functions/${name}.ts`, outfile, stage);
}

/** Any entry point with the functions' bundling (the benchmark's baseline handler too). */
export async function bundleEntry(entry: string, outfile: string, stage: StageBuild = DEFAULT_BUILD): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true, platform: 'node', format: 'esm', target: ESBUILD_TARGET, minify: true, keepNames: true, outfile,
    mainFields: ['module', 'main'], logLevel: 'silent', define: esbuildDefines(stage),
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
