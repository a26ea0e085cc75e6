import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { UsageDimension, UsageItem } from './usage.ts';

/** Money: an integer number of micros (millionths of a US dollar), so sums never round. */
const Micros = z.number().int().nonnegative();

export const InvoiceLine = z
  .object({
    clusterId: Id,
    dimension: UsageDimension,
    quantity: z.string().describe('As in usage: bytes, or hours with six decimals'),
    unit: UsageItem.shape.unit,
    unitPrice: Micros.describe('Micros per priceUnit'),
    priceUnit: z.string().describe('GB, GB-month (730 hours), partition-hour or cluster-hour'),
    amount: Micros.describe('The exact quantity priced, rounded half up to a whole micro once per line'),
  })
  .meta({ id: 'InvoiceLine' });
export type InvoiceLine = z.infer<typeof InvoiceLine>;

export const Invoice = z
  .object({
    id: Id,
    period: z.object({ start: Timestamp, end: Timestamp }).describe('One UTC calendar month, [start, end)'),
    status: z.enum(['draft', 'finalized']).describe('The running month is a draft; a month is finalized once after it ends and never changes afterwards'),
    currency: z.literal('USD'),
    lines: z.array(InvoiceLine),
    subtotal: Micros.describe('Sum of the lines'),
    total: Micros.describe('Sum of the lines (no taxes or credits yet)'),
  })
  .meta({ id: 'Invoice' });
export type Invoice = z.infer<typeof Invoice>;

export const InvoiceList = z.object({ items: z.array(Invoice) }).meta({ id: 'InvoiceList' });
export type InvoiceList = z.infer<typeof InvoiceList>;
