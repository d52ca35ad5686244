import type { SenderDeps } from '../sender-deps.ts';
import type { VerificationStore } from './store.ts';

/** What the OTP operations need from the outside world; wired in shared/runtime.ts, faked in tests. */
export type OtpDeps = SenderDeps & {
  store: VerificationStore;
  webDomain?: string;
};
