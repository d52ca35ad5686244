// What `import { z } from 'zod'` resolves to in the deployed bundles (esbuild alias, infra/bundle.ts
// and the function construct): the same API without the locales (see zod-external.mjs).
import * as z from './zod-external.mjs';
export * from './zod-external.mjs';
export { z, z as default };
