import * as z from '../zod.ts';
import { described, intIn } from '../schema.ts';

/** The ops routes for blocks (API 1.1, "Fraud controls"): validated at the edge, published as OpenAPI. */
const BlockKind = z.enum(['prefix', 'country']);
const PrefixKey = z.string().check(z.regex(/^\d{4,10}$/, { message: 'A range: the calling code and leading national digits, 4 to 10 digits (docs/fraud.md)' }));
const CountryKey = z.string().check(z.regex(/^[A-Z]{2}$/, { message: 'An ISO 3166 alpha-2 code such as GB' }));

export const PutFraudBlockRequest = described(
  z
    .strictObject({
      kind: BlockKind,
      key: described(z.string().check(z.maxLength(10)), { description: 'prefix: the range digits (calling code + leading national digits); country: ISO 3166 alpha-2' }),
      hours: intIn(1, 24 * 90),
      reason: z.string().check(z.trim(), z.minLength(3), z.maxLength(200)),
    })
    .check(
      z.superRefine((v, ctx) => {
        const checked = (v.kind === 'prefix' ? PrefixKey : CountryKey).safeParse(v.key);
        if (!checked.success) ctx.addIssue({ code: 'custom', path: ['key'], message: checked.error.issues[0]!.message });
      }),
    ),
  { id: 'PutFraudBlockRequest' },
);
export type PutFraudBlockRequest = z.infer<typeof PutFraudBlockRequest>;

export const BlockPath = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prefix'), key: PrefixKey }),
  z.object({ kind: z.literal('country'), key: CountryKey }),
]);

const Block = z.object({
  kind: BlockKind, key: z.string(), reason: z.string(), since: z.iso.datetime(), until: z.iso.datetime(),
  sent: z.optional(z.int()), approved: z.optional(z.int()),
});
export const FraudBlockList = described(z.object({ blocks: z.array(Block) }), { id: 'FraudBlockList' });
export const FraudBlockView = described(Block, { id: 'FraudBlock' });
export const FraudBlockLifted = described(z.object({ kind: BlockKind, key: z.string(), status: z.literal('lifted') }), { id: 'FraudBlockLifted' });
