// zod's classic API as `zod` exports it (node_modules/zod/v4/classic/external.js), minus the
// `locales` and `core` namespaces (through the `z` namespace those keep every locale in a bundle
// (about 260 KiB) that only ever speaks English, which zod registers by itself on first use) and
// what only tooling calls (JSON Schema, the schema compiler): a function never does.
export * from '../../node_modules/zod/v4/classic/schemas.js';
export * from '../../node_modules/zod/v4/classic/checks.js';
export * from '../../node_modules/zod/v4/classic/errors.js';
export * from '../../node_modules/zod/v4/classic/parse.js';
export * from '../../node_modules/zod/v4/classic/compat.js';
export {
  globalRegistry, registry, config, $output, $input, $brand, clone, regexes, treeifyError, prettifyError, formatError, flattenError,
  TimePrecision, util, NEVER, INVALID, getDiscriminatedOption,
} from '../../node_modules/zod/v4/core/index.js';
export { input, output } from '../../node_modules/zod/v4/classic/in-out.js';
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from '../../node_modules/zod/v4/classic/iso.js';
export * as iso from '../../node_modules/zod/v4/classic/iso.js';
export * as coerce from '../../node_modules/zod/v4/classic/coerce.js';
