import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport, SCENARIOS, simulate, type Scenario } from './simulate.ts';

/** `npm run simulate -- --scenario normal|pumping|bruteforce|burst` against the running local stack. */
const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'normal' },
    dir: { type: 'string', default: process.env.SEALTEXT_LOCAL_DIR ?? '.local' },
  },
});
const scenario = values.scenario as Scenario;
if (!SCENARIOS.includes(scenario)) {
  process.stderr.write(`--scenario must be one of ${SCENARIOS.join(', ')}\n`);
  process.exit(2);
}
const stackFile = `${values.dir}/stack.json`;
if (!existsSync(stackFile)) {
  process.stderr.write('Start the local stack first (npm start).\n');
  process.exit(2);
}
const { url } = JSON.parse(readFileSync(stackFile, 'utf8')) as { url: string };
process.stdout.write(`${formatReport(await simulate(url, scenario, values.dir))}\n`);
