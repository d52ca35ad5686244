import { DestinationNotAllowed, ValidationFailed } from '../errors.ts';
import { isRefusedNumberType, parsePhone, type Phone } from './phone.ts';

/** Checks a destination before anything is written or sent: a real number, an allowed country and type. */
export function checkDestination(to: string, allowedCountries: ReadonlySet<string>, field = 'to'): Phone {
  const phone = parsePhone(to);
  if (!phone) throw new ValidationFailed([{ path: field, message: 'Not a valid phone number' }]);
  if (!allowedCountries.has(phone.country)) throw new DestinationNotAllowed('country');
  if (isRefusedNumberType(phone)) throw new DestinationNotAllowed('number_type');
  return phone;
}
