import type { EmailSender, OutgoingEmail, WhatsAppSender } from '../channels/senders.ts';

/**
 * A channel's AWS client, loaded on its first send rather than at cold start: a function that can
 * send on several channels (a sealed message goes by SMS, WhatsApp or e-mail) pays for the SDK
 * client of a channel only when it uses it. The bundler keeps a dynamically imported module's code
 * in the bundle but runs it only then (esbuild's lazy module init). A failed load is tried again.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
}

export class LazyEmail implements EmailSender {
  private readonly sender: () => Promise<EmailSender>;
  constructor(load: () => Promise<EmailSender>) {
    this.sender = once(load);
  }

  async send(m: OutgoingEmail) {
    return (await this.sender()).send(m);
  }
}

export class LazyWhatsApp implements WhatsAppSender {
  private readonly sender: () => Promise<WhatsAppSender>;
  constructor(load: () => Promise<WhatsAppSender>) {
    this.sender = once(load);
  }

  async send(m: Parameters<WhatsAppSender['send']>[0]) {
    return (await this.sender()).send(m);
  }
}
