import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OPENAPI_FILE, renderOpenApi } from './document.ts';

mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
writeFileSync(OPENAPI_FILE, renderOpenApi());
process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
