import { z } from 'zod';

/** The ops routes for blocks (API 1.1, "Fraud controls"): validated at the edge, published as OpenAPI. */
export const BlockKind = z.enum(['prefix', 'country']);
const PrefixKey = z.string().regex(/^\d{4,10}$/, { message: 'A range: the calling code and leading national digits, 4 to 10 digits (docs/fraud.md)' });
const CountryKey = z.string().regex(/^[A-Z]{2}$/, { message: 'An ISO 3166 alpha-2 code such as GB' });

export const PutFraudBlockRequest = z
  .strictObject({
    kind: BlockKind,
    key: z.string().max(10).meta({ description: 'prefix: the range digits (calling code + leading national digits); country: ISO 3166 alpha-2' }),
    hours: z.number().int().min(1).max(24 * 90),
    reason: z.string().trim().min(3).max(200),
  })
  .superRefine((v, ctx) => {
    const checked = (v.kind === 'prefix' ? PrefixKey : CountryKey).safeParse(v.key);
    if (!checked.success) ctx.addIssue({ code: 'custom', path: ['key'], message: checked.error.issues[0]!.message });
  })
  .meta({ id: 'PutFraudBlockRequest' });
export type PutFraudBlockRequest = z.infer<typeof PutFraudBlockRequest>;

export const BlockPath = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prefix'), key: PrefixKey }),
  z.object({ kind: z.literal('country'), key: CountryKey }),
]);

const Block = z.object({
  kind: BlockKind, key: z.string(), reason: z.string(), since: z.iso.datetime(), until: z.iso.datetime(),
  sent: z.number().int().optional(), approved: z.number().int().optional(),
});
export const FraudBlockList = z.object({ blocks: z.array(Block) }).meta({ id: 'FraudBlockList' });
export const FraudBlockView = Block.meta({ id: 'FraudBlock' });
export const FraudBlockLifted = z.object({ kind: BlockKind, key: z.string(), status: z.literal('lifted') }).meta({ id: 'FraudBlockLifted' });
