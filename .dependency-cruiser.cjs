/**
 * The boundaries of DESIGN.md ("Layout inside shared/"), checked by `npm test` (npm run lint:deps).
 * Domain modules own their ports; only adapters (shared/adapters/), composition roots
 * (shared/wiring/) and the driving HTTP adapter (shared/http/) talk to AWS, the file system or the
 * network, and adapters never reach back into the wiring.
 */
const DOMAIN = '^shared/(?!adapters/|wiring/|http/)';
const OUTSIDE_WORLD_PACKAGES = '(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|@smithy)/';
const OUTSIDE_WORLD_CORE = '^(node:)?(fs|fs/promises|http|https|http2|dns|dns/promises|child_process)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-adapters-or-wiring',
      comment: 'The domain defines ports; adapters implement them and the wiring picks them. A domain module never imports either.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^shared/(adapters|wiring)/' },
    },
    {
      name: 'domain-talks-to-the-outside-world',
      comment: 'AWS SDK clients, Powertools, the file system and the network belong in shared/adapters/ (or wiring, http).',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: OUTSIDE_WORLD_PACKAGES },
    },
    {
      name: 'domain-uses-node-io',
      comment: 'node:fs and node:http(s)/dns belong in shared/adapters/.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { dependencyTypes: ['core'], path: OUTSIDE_WORLD_CORE },
    },
    {
      name: 'adapters-import-wiring',
      comment: 'Adapters are picked by the wiring, never the other way round.',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: '^shared/wiring/' },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports hide which module depends on which.',
      severity: 'error',
      from: { path: '^(shared|functions|infra)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
