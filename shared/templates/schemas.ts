import { z } from 'zod';

const Text = z.string().min(1).max(1600).meta({ example: 'Hi {{first_name}}, your order {{order}} ships today.' });
const Sms = z.object({ encoding: z.enum(['GSM-7', 'UCS-2']), length: z.number().int(), segments: z.number().int() }).meta({ description: 'Of the text as written (each variable may add up to 200 characters)' });

export const CreateTemplateRequest = z
  .strictObject({
    name: z.string().min(1).max(80),
    category: z.enum(['transactional', 'promotional']),
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default('en'),
    text: Text,
  })
  .meta({ id: 'CreateTemplateRequest' });
export const ReviseTemplateRequest = z.strictObject({ text: Text }).meta({ id: 'ReviseTemplateRequest' });
export const ApproveTemplateRequest = z.strictObject({}).meta({ id: 'ApproveTemplateRequest' });

export const TemplateVersionWritten = z
  .object({ templateId: z.string(), version: z.number().int(), status: z.enum(['draft', 'approved']), sms: Sms.optional() })
  .meta({ id: 'TemplateVersionWritten' });

const Header = {
  templateId: z.string(), name: z.string(), category: z.enum(['transactional', 'promotional']), locale: z.string(),
  latestVersion: z.number().int(), approvedVersion: z.number().int().optional(), createdBy: z.string(), createdAt: z.iso.datetime(),
};
export const TemplateList = z.object({ templates: z.array(z.object(Header)) }).meta({ id: 'TemplateList' });
export const TemplateView = z
  .object({
    ...Header,
    versions: z.array(z.object({
      version: z.number().int(), status: z.enum(['draft', 'approved']), text: z.string(), variables: z.array(z.string()), sms: Sms,
      createdBy: z.string(), createdAt: z.iso.datetime(), approvedBy: z.string().optional(), approvedAt: z.iso.datetime().optional(),
    })),
  })
  .meta({ id: 'TemplateView' });
