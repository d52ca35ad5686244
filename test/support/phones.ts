import { parsePhone } from '#shared/phone/phone';

/** A random, valid UK mobile number, so tests running in parallel never share rate-limit windows. */
export function randomUkMobile(): string {
  for (;;) {
    const candidate = `+447${String(400_000_000 + Math.floor(Math.random() * 500_000_000)).slice(0, 9)}`;
    const phone = parsePhone(candidate);
    // +44 7 also covers Jersey, Guernsey and the Isle of Man, which are other countries.
    if (phone?.type === 'MOBILE' && phone.country === 'GB') return candidate;
  }
}
