import { writeFileSync } from 'node:fs';
import max from 'libphonenumber-js/max/metadata';
import { parsingMetadata } from '#shared/phone/numbering-plans';

/** `npm run phone:plans`: regenerates shared/phone/numbering-plans.json after a libphonenumber-js upgrade. */
writeFileSync(new URL('../../shared/phone/numbering-plans.json', import.meta.url), JSON.stringify(parsingMetadata(max)));
console.log('wrote shared/phone/numbering-plans.json');
