import { parseArgs } from 'node:util';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ensureAuthenticationTemplates } from '#shared/adapters/whatsapp/templates';

/**
 * `npm run whatsapp:templates -- --waba <waba-…> --region eu-west-1`: creates the WhatsApp
 * authentication templates codes are sent with (one per locale, `<prefix>_<locale>`) in the
 * WhatsApp Business Account linked to End User Messaging Social, with your credentials, and prints
 * each one's status (Meta reviews new ones; codes go out once it says APPROVED). Existing templates
 * are left as they are. docs/channels.md.
 */
const { values } = parseArgs({
  options: {
    waba: { type: 'string' }, region: { type: 'string' }, prefix: { type: 'string', default: 'sealtext_code' }, 'expiry-minutes': { type: 'string', default: '10' },
    // Sealed messages on WhatsApp: the notice (link button on <base-url>/m/) and direct templates.
    'base-url': { type: 'string' }, notice: { type: 'string', default: 'sealtext_notice' }, direct: { type: 'string', default: 'sealtext_message' },
  },
});
if (!values.waba?.startsWith('waba-') || !values.region) {
  process.stderr.write('Usage: npm run whatsapp:templates -- --waba <waba-id> --region <region> [--prefix sealtext_code] [--expiry-minutes 10] [--base-url https://<api>/<stage> [--notice sealtext_notice] [--direct sealtext_message]]\n');
  process.exit(2);
}
try {
  const results = await ensureAuthenticationTemplates(new SocialMessagingClient({ region: values.region }), values.waba, {
    prefix: values.prefix, expiryMinutes: Number(values['expiry-minutes']),
    ...(values['base-url'] ? { utility: { notice: values.notice, direct: values.direct, publicBaseUrl: values['base-url'] } } : {}),
  });
  for (const r of results) process.stdout.write(`${r.name} (${r.language}): ${r.status}${r.created ? ' (created now)' : ''}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  process.exit(1);
}
