import * as z from '../zod.ts';
import { described, stringOf } from '../schema.ts';

const Text = described(stringOf(1, 1600), { example: 'Hi {{first_name}}, your order {{order}} ships today.' });
const Sms = described(
  z.object({ encoding: z.enum(['GSM-7', 'UCS-2']), length: z.int(), segments: z.int() }),
  { description: 'Of the text as written (each variable may add up to 200 characters)' },
);
const Category = z.enum(['transactional', 'promotional']);
const VersionStatus = z.enum(['draft', 'approved']);

export const CreateTemplateRequest = described(
  z.strictObject({
    name: stringOf(1, 80),
    category: Category,
    locale: z._default(z.string().check(z.regex(/^[a-z]{2}(-[A-Z]{2})?$/)), 'en'),
    text: Text,
  }),
  { id: 'CreateTemplateRequest' },
);
export const ReviseTemplateRequest = described(z.strictObject({ text: Text }), { id: 'ReviseTemplateRequest' });
export const ApproveTemplateRequest = described(z.strictObject({}), { id: 'ApproveTemplateRequest' });

export const TemplateVersionWritten = described(
  z.object({ templateId: z.string(), version: z.int(), status: VersionStatus, sms: z.optional(Sms) }),
  { id: 'TemplateVersionWritten' },
);

const Header = {
  templateId: z.string(), name: z.string(), category: Category, locale: z.string(),
  latestVersion: z.int(), approvedVersion: z.optional(z.int()), createdBy: z.string(), createdAt: z.iso.datetime(),
};
export const TemplateList = described(z.object({ templates: z.array(z.object(Header)) }), { id: 'TemplateList' });
export const TemplateView = described(
  z.object({
    ...Header,
    versions: z.array(z.object({
      version: z.int(), status: VersionStatus, text: z.string(), variables: z.array(z.string()), sms: Sms,
      createdBy: z.string(), createdAt: z.iso.datetime(), approvedBy: z.optional(z.string()), approvedAt: z.optional(z.iso.datetime()),
    })),
  }),
  { id: 'TemplateView' },
);
