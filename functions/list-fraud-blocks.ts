import { listBlocks } from '#shared/fraud/manage';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { fraudStore } from '#shared/wiring/runtime';

/** GET /v1/fraud/blocks: the range and country blocks in force (range keys are digit prefixes). */
export const handler = api({ scope: SCOPES.fraudManage }).handler(async () => ok(await listBlocks({ fraud: fraudStore(), now: Date.now })));
