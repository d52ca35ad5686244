import { build } from 'esbuild';
import { DEFAULT_BUILD, ESBUILD_TARGET, esbuildDefines } from '../infra/constructs/sealtext-function.ts';
const r = await build({ entryPoints: [`functions/seal-audit.ts`], bundle: true, platform: 'node', format: 'esm', target: ESBUILD_TARGET, minify: true, keepNames: true, write: false, outfile: '/tmp/x.mjs', metafile: true, mainFields: ['module','main'], logLevel: 'silent', define: esbuildDefines(DEFAULT_BUILD) });
const ins = Object.values(r.metafile.outputs)[0]!.inputs;
console.log(Object.entries(ins).filter(([f]) => f.includes(process.argv[2]!)).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,15).map(([f,v])=>`${(v.bytesInOutput/1024).toFixed(1).padStart(6)} ${f.replace(/.*node_modules\//,'')}`).join('\n'));
