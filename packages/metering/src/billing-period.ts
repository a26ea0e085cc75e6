/** A calendar month in UTC, [start, end) in ms since the epoch: the period of one invoice. */
export interface BillingPeriod {
  readonly start: number;
  readonly end: number;
}

export function billingPeriodOf(at: number): BillingPeriod {
  const d = new Date(at);
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export function nextBillingPeriod(period: BillingPeriod): BillingPeriod {
  return billingPeriodOf(period.end);
}

/** A cluster from its creation to its deletion (still there: no end), as billed for cluster-hours. */
export interface ClusterLifetime {
  readonly clusterId: string;
  readonly createdAt: number;
  readonly deletedAt?: number;
}

/** The milliseconds of `period` the cluster existed, counted up to `now` (a running month) and never after its deletion. */
export function clusterTimeIn(lifetime: ClusterLifetime, period: BillingPeriod, now: number): bigint {
  const from = Math.max(lifetime.createdAt, period.start);
  const to = Math.min(lifetime.deletedAt ?? Infinity, period.end, now);
  return BigInt(Math.max(0, to - from));
}
