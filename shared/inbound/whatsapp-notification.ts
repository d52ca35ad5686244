/**
 * Inbound WhatsApp messages as End User Messaging Social publishes them to the WhatsApp Business
 * Account's event destination (an SNS topic): an AWS header, and Meta's webhook entry as a JSON
 * string (`whatsAppWebhookEntry`) whose `changes[].value.messages[]` are the person's messages.
 * Only text messages are read; statuses and other kinds (media, reactions) carry nothing we keep.
 */
export type InboundWhatsApp = { id: string; from: string; body: string };

type Entry = { changes?: { value?: { messages?: { id?: unknown; from?: unknown; type?: unknown; text?: { body?: unknown } }[] } }[] };

/** The text messages of one notification; `undefined` when it is not a Social notification at all. */
export function inboundWhatsAppOf(notification: unknown): InboundWhatsApp[] | undefined {
  if (!notification || typeof notification !== 'object') return undefined;
  const raw = (notification as { whatsAppWebhookEntry?: unknown }).whatsAppWebhookEntry;
  if (typeof raw !== 'string') return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(raw) as Entry;
  } catch {
    return undefined;
  }
  const out: InboundWhatsApp[] = [];
  for (const change of entry.changes ?? []) {
    for (const m of change.value?.messages ?? []) {
      // Meta writes the sender as digits without the +; a WhatsApp id is the number.
      if (m.type !== 'text' || typeof m.id !== 'string' || typeof m.from !== 'string' || !/^[1-9]\d{6,14}$/.test(m.from)) continue;
      const body = m.text?.body;
      if (typeof body !== 'string' || body.length > 4096) continue;
      out.push({ id: m.id.slice(0, 128), from: `+${m.from}`, body });
    }
  }
  return out;
}
