import type { Dimension } from './dimensions.ts';
import { price, unitPrice, type Prices } from './price-book.ts';

export interface BillableUsage {
  readonly clusterId: string;
  readonly dimension: Dimension;
  readonly quantity: bigint;
}

export interface InvoiceLine {
  readonly clusterId: string;
  readonly dimension: Dimension;
  /** In the dimension's base unit (bytes, or unit-milliseconds). */
  readonly quantity: bigint;
  /** Micros per `per` base units. */
  readonly unitPrice: bigint;
  readonly per: bigint;
  readonly priceUnit: string;
  /** Micros, rounded once for the line. */
  readonly amount: bigint;
}

export interface InvoiceAmounts {
  readonly currency: 'USD';
  readonly lines: InvoiceLine[];
  readonly subtotal: bigint;
  readonly total: bigint;
}

/**
 * One line per cluster and dimension with usage, priced at its cluster's plan; the subtotal and the
 * total are the sums of the lines' amounts (no taxes or credits yet), all integer micros.
 */
export function computeInvoice(usage: Iterable<BillableUsage>, pricesOf: (clusterId: string) => Prices): InvoiceAmounts {
  const sums = new Map<string, BillableUsage & { quantity: bigint }>();
  for (const u of usage) {
    const key = JSON.stringify([u.clusterId, u.dimension]);
    const sum = sums.get(key);
    sums.set(key, { clusterId: u.clusterId, dimension: u.dimension, quantity: (sum?.quantity ?? 0n) + u.quantity });
  }
  const lines = [...sums.values()]
    .filter((s) => s.quantity > 0n)
    .sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0))
    .map((s): InvoiceLine => {
      const p = unitPrice(pricesOf(s.clusterId), s.dimension);
      return { ...s, unitPrice: p.unitPrice, per: p.per, priceUnit: p.priceUnit, amount: price(s.quantity, p) };
    });
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0n);
  return { currency: 'USD', lines, subtotal, total: subtotal };
}
