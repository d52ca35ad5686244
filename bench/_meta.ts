import { build } from 'esbuild';
import { DEFAULT_BUILD, ESBUILD_TARGET, esbuildDefines } from '../infra/constructs/sealtext-function.ts';
const name = process.argv[2]!; const archive = process.argv[3] === 'archive';
const r = await build({ entryPoints: [`${name.includes('/') ? name : `functions/${name}.ts`}`], bundle: true, platform: 'node', format: 'esm', target: ESBUILD_TARGET, minify: true, keepNames: true, write: false, outfile: '/tmp/x.mjs', metafile: true, mainFields: ['module','main'], logLevel: 'silent', define: esbuildDefines({ ...DEFAULT_BUILD, archive }) });
const by: Record<string, number> = {};
for (const [f, v] of Object.entries(Object.values(r.metafile.outputs)[0]!.inputs)) { const m = f.match(/node_modules\/((@[^/]+\/)?[^/]+)/); const k = m ? m[1]! : f.split('/').slice(0,2).join('/'); by[k] = (by[k] ?? 0) + v.bytesInOutput; }
console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,25).map(([k,v])=>`${(v/1024).toFixed(0).padStart(5)} ${k}`).join('\n'));
