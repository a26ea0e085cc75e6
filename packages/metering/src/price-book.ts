import { HOUR_MS, type Dimension } from './dimensions.ts';

/** Prices in integer micros (millionths of a US dollar), so sums never round. */
export interface Prices {
  readonly currency: 'USD';
  /** Per cluster and hour it exists. */
  readonly clusterHourMicros: number;
  /** Per GB (10^9 bytes) produced. */
  readonly ingressGbMicros: number;
  /** Per GB consumed. */
  readonly egressGbMicros: number;
  /** Per GB-month kept on brokers. */
  readonly hotStorageGbMonthMicros: number;
  /** Per GB-month kept in object storage. */
  readonly coldStorageGbMonthMicros: number;
  /** Per partition and hour. */
  readonly partitionHourMicros: number;
}

export type PricedPlan = 'basic' | 'standard' | 'dedicated';

/** The prices of each plan; the control plane shows them with the plan's limits. */
export const priceBook: Readonly<Record<PricedPlan, Prices>> = {
  basic: {
    currency: 'USD',
    clusterHourMicros: 0,
    ingressGbMicros: 50_000,
    egressGbMicros: 50_000,
    hotStorageGbMonthMicros: 100_000,
    coldStorageGbMonthMicros: 25_000,
    partitionHourMicros: 0,
  },
  standard: {
    currency: 'USD',
    clusterHourMicros: 750_000,
    ingressGbMicros: 40_000,
    egressGbMicros: 40_000,
    hotStorageGbMonthMicros: 100_000,
    coldStorageGbMonthMicros: 25_000,
    partitionHourMicros: 1_500,
  },
  dedicated: {
    currency: 'USD',
    clusterHourMicros: 3_000_000,
    ingressGbMicros: 30_000,
    egressGbMicros: 30_000,
    hotStorageGbMonthMicros: 90_000,
    coldStorageGbMonthMicros: 20_000,
    partitionHourMicros: 1_000,
  },
};

const GB = 1_000_000_000n;
/** A billing month for storage prices: 730 hours, as the clouds count it. */
const MONTH_MS = 730n * HOUR_MS;

/** The price of one dimension: `unitPrice` micros per `per` base units, and the unit as people read it. */
export interface UnitPrice {
  readonly unitPrice: bigint;
  readonly per: bigint;
  readonly priceUnit: string;
}

export function unitPrice(prices: Prices, dimension: Dimension): UnitPrice {
  switch (dimension) {
    case 'ingress_bytes':
      return { unitPrice: BigInt(prices.ingressGbMicros), per: GB, priceUnit: 'GB' };
    case 'egress_bytes':
      return { unitPrice: BigInt(prices.egressGbMicros), per: GB, priceUnit: 'GB' };
    case 'storage_hot_byte_hours':
      return { unitPrice: BigInt(prices.hotStorageGbMonthMicros), per: GB * MONTH_MS, priceUnit: 'GB-month' };
    case 'storage_cold_byte_hours':
      return { unitPrice: BigInt(prices.coldStorageGbMonthMicros), per: GB * MONTH_MS, priceUnit: 'GB-month' };
    case 'partition_hours':
      return { unitPrice: BigInt(prices.partitionHourMicros), per: HOUR_MS, priceUnit: 'partition-hour' };
    case 'cluster_hours':
      return { unitPrice: BigInt(prices.clusterHourMicros), per: HOUR_MS, priceUnit: 'cluster-hour' };
  }
}

/** The amount in micros for `quantity` base units, rounded half up once per invoice line. */
export function price(quantity: bigint, { unitPrice: micros, per }: UnitPrice): bigint {
  return (quantity * micros * 2n + per) / (2n * per);
}
