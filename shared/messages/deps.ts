import type { SenderDeps } from '../sender-deps.ts';
import type { MessageStore } from './store.ts';

export type MessageDeps = SenderDeps & {
  store: MessageStore;
  /** Where the recipient page is served, e.g. https://api.example.com/prod */
  publicBaseUrl: string;
};
