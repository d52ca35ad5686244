import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod as the functions use it (`import * as z from '../zod.ts'`): the functional "mini" API, which
 * puts about 30 KiB into a bundle where the classic chaining API puts 140 KiB (docs/performance.md).
 * Mini sets no locale, so English is set here, once, for every schema: a 400 names the field and
 * says what is wrong. Import it as a namespace and use it statically (`z.string()`), so the bundler
 * keeps only what is used; the infrastructure code (`infra/`) may use classic `zod`.
 */
config(en());

export * from 'zod/mini';
