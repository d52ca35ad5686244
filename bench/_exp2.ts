import { build, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DEFAULT_BUILD, ESBUILD_TARGET, esbuildDefines } from '../infra/constructs/sealtext-function.ts';
const jsonAsString: Plugin = { name: 'json-parse', setup(b) { b.onLoad({ filter: /\.json$/ }, (a) => ({ contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(a.path, 'utf8'))))})`, loader: 'js' })); } };
const mk = async (entry: string, out: string, plugins: Plugin[], archive = false) => build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: ESBUILD_TARGET, minify: true, keepNames: true, outfile: out, mainFields: ['module','main'], logLevel: 'silent', define: esbuildDefines({ ...DEFAULT_BUILD, archive }), plugins, banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
await mk('bench/hello-dynamodb.ts', '/tmp/coldexp/hello.mjs', []);
await mk('functions/issue-otp.ts', '/tmp/coldexp/io-a.mjs', []);
await mk('functions/issue-otp.ts', '/tmp/coldexp/io-b.mjs', [jsonAsString]);
const importOnce = (file: string) => {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'eu-west-1' } }).toString());
};
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r = Array.from({ length: 11 }, () => [importOnce('/tmp/coldexp/hello.mjs'), importOnce('/tmp/coldexp/io-a.mjs'), importOnce('/tmp/coldexp/io-b.mjs')]);
console.log('hello', med(r.map(x=>x[0]!)).toFixed(0), 'literal', med(r.map(x=>x[1]!)).toFixed(0), 'json.parse', med(r.map(x=>x[2]!)).toFixed(0));
