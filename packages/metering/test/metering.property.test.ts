import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  billingPeriodOf,
  clusterTimeIn,
  computeInvoice,
  dimensions,
  formatQuantity,
  HOUR_MS,
  priceBook,
  unitPrice,
  type Prices,
  type UsageRecord,
} from '../src/index.ts';

const t0 = Date.UTC(2026, 0, 1);
const clusters = ['c-1', 'c-2', 'c-3'];
const record = fc.record({
  clusterId: fc.constantFrom(...clusters),
  dimension: fc.constantFrom(...dimensions),
  quantity: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  at: fc.integer({ min: t0, max: t0 + 90 * 24 * 3_600_000 }),
  topic: fc.option(fc.constantFrom('orders', 'payments', 'logs'), { nil: undefined }),
  apiKeyId: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
}) as fc.Arbitrary<UsageRecord>;
const records = fc.array(record, { maxLength: 200 });
const planOf: Record<string, Prices> = { 'c-1': priceBook.basic, 'c-2': priceBook.standard, 'c-3': priceBook.dedicated };
const pricesOf = (clusterId: string) => planOf[clusterId];
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe('metering (properties)', () => {
  it("an invoice's subtotal and total are the sums of its lines, in integer micros", () => {
    fc.assert(
      fc.property(records, (rs) => {
        const invoice = computeInvoice(rs, pricesOf);
        expect(invoice.subtotal).toBe(sum(invoice.lines.map((l) => l.amount)));
        expect(invoice.total).toBe(invoice.subtotal);
        for (const line of invoice.lines) expect(typeof line.amount).toBe('bigint');
      }),
    );
  });

  it('aggregating the same samples again, in any order, gives the same buckets and the same invoice', () => {
    fc.assert(
      fc.property(records.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length }))), ([rs, shuffled]) => {
        for (const g of ['hour', 'day'] as const) {
          for (const by of [undefined, 'topic', 'apiKey'] as const) expect(aggregate(shuffled, g, by)).toEqual(aggregate(rs, g, by));
        }
        expect(computeInvoice(aggregate(shuffled, 'hour'), pricesOf)).toEqual(computeInvoice(rs, pricesOf));
      }),
    );
  });

  it('rolling hourly buckets up into days equals aggregating the records into days, and no quantity is lost', () => {
    fc.assert(
      fc.property(records, fc.constantFrom(undefined, 'topic' as const, 'apiKey' as const), (rs, by) => {
        expect(aggregate(aggregate(rs, 'hour', by), 'day', by)).toEqual(aggregate(rs, 'day', by));
        expect(sum(aggregate(rs, 'day', by).map((b) => b.quantity))).toBe(sum(rs.map((r) => r.quantity)));
      }),
    );
  });

  it('grouped by topic or by key, the buckets add up to the ungrouped totals', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const total = (bs: ReturnType<typeof aggregate>) => {
          const m = new Map<string, bigint>();
          for (const b of bs) m.set(`${b.clusterId}/${b.dimension}/${b.start}`, (m.get(`${b.clusterId}/${b.dimension}/${b.start}`) ?? 0n) + b.quantity);
          return m;
        };
        expect(total(aggregate(rs, 'hour', 'topic'))).toEqual(total(aggregate(rs, 'hour')));
        expect(total(aggregate(rs, 'hour', 'apiKey'))).toEqual(total(aggregate(rs, 'hour')));
      }),
    );
  });

  it('buckets are whole UTC hours or days holding their records', () => {
    fc.assert(
      fc.property(record, (r) => {
        const [hour] = aggregate([r], 'hour');
        const [day] = aggregate([r], 'day');
        expect(hour.start % 3_600_000).toBe(0);
        expect(hour.end - hour.start).toBe(3_600_000);
        expect(day.start % 86_400_000).toBe(0);
        expect(r.at >= day.start && r.at < day.end && r.at >= hour.start && r.at < hour.end).toBe(true);
      }),
    );
  });

  it('a cluster is billed for the time it existed within the period, up to its deletion and up to now', () => {
    fc.assert(
      fc.property(fc.integer({ min: t0 - 40 * 86_400_000, max: t0 + 40 * 86_400_000 }), fc.integer({ min: 0, max: 60 * 86_400_000 }), fc.boolean(), (created, life, deleted) => {
        const period = billingPeriodOf(t0);
        const lifetime = { clusterId: 'c', createdAt: created, ...(deleted && { deletedAt: created + life }) };
        const ms = clusterTimeIn(lifetime, period, period.end + 1);
        const end = deleted ? Math.min(created + life, period.end) : period.end;
        expect(ms).toBe(BigInt(Math.max(0, end - Math.max(created, period.start))));
        expect(clusterTimeIn(lifetime, period, period.start)).toBe(0n);
      }),
    );
  });
});

describe('prices', () => {
  it('prices whole units exactly: one GB in, one standard cluster-hour, one GB-month of hot storage', () => {
    expect(computeInvoice([{ clusterId: 'c-2', dimension: 'ingress_bytes', quantity: 1_000_000_000n }], pricesOf).total).toBe(40_000n);
    expect(computeInvoice([{ clusterId: 'c-2', dimension: 'cluster_hours', quantity: HOUR_MS }], pricesOf).total).toBe(750_000n);
    expect(computeInvoice([{ clusterId: 'c-2', dimension: 'storage_hot_byte_hours', quantity: 1_000_000_000n * 730n * HOUR_MS }], pricesOf).total).toBe(100_000n);
    expect(unitPrice(priceBook.basic, 'egress_bytes')).toEqual({ unitPrice: 50_000n, per: 1_000_000_000n, priceUnit: 'GB' });
  });

  it('rounds a line half up once: 10 kB of basic ingress costs half a micro, billed as 1', () => {
    expect(computeInvoice([{ clusterId: 'c-1', dimension: 'ingress_bytes', quantity: 10_000n }], pricesOf).total).toBe(1n);
    expect(computeInvoice([{ clusterId: 'c-1', dimension: 'ingress_bytes', quantity: 9_999n }], pricesOf).total).toBe(0n);
  });

  it('shows time dimensions in hours with six decimals, bytes as they are', () => {
    expect(formatQuantity('partition_hours', 5_400_000n)).toBe('1.500000');
    expect(formatQuantity('storage_hot_byte_hours', 1n)).toBe('0.000000');
    expect(formatQuantity('ingress_bytes', 12_345n)).toBe('12345');
  });
});
