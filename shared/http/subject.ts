import { phonePath } from './path.ts';
import type { ApiEvent } from './api.ts';
import { parseWith } from './validate.ts';
import { SubjectRequest } from '../subjects/schemas.ts';
import type { Person } from '../consent/schemas.ts';

/** The number or address a data-subject request names: in the body (POST), or a number in the deprecated 1.0 path. */
export const subjectOf = (event: ApiEvent): Person => (event.httpMethod === 'POST' ? parseWith(SubjectRequest, event.json) : { to: phonePath(event) });
