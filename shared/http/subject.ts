import { phonePath } from './path.ts';
import type { ApiEvent } from './api.ts';
import { parseWith } from './validate.ts';
import { SubjectRequest } from '../subjects/schemas.ts';

/** The number a data-subject request names: in the body (POST), or in the deprecated 1.0 path. */
export const subjectOf = (event: ApiEvent): string => (event.httpMethod === 'POST' ? parseWith(SubjectRequest, event.json).to : phonePath(event));
