import { NotFound } from './errors.ts';

/** Another client's record is indistinguishable from one that never existed. */
export function ownedOrNotFound<T extends { clientId: string }>(record: T | undefined, clientId: string): T {
  if (!record || record.clientId !== clientId) throw new NotFound();
  return record;
}
