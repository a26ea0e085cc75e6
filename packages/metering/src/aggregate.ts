import type { Dimension } from './dimensions.ts';

/** Metered usage as the control plane keeps it: an exact quantity of one dimension at a time. */
export interface UsageRecord {
  readonly clusterId: string;
  readonly dimension: Dimension;
  readonly quantity: bigint;
  /** When the usage happened (ms since the epoch): a sample's start, which decides its bucket. */
  readonly at: number;
  readonly topic?: string;
  readonly apiKeyId?: string;
}

export type Granularity = 'hour' | 'day';
export type GroupBy = 'topic' | 'apiKey';

export interface UsageBucket {
  readonly clusterId: string;
  readonly dimension: Dimension;
  readonly quantity: bigint;
  /** [start, end) in ms since the epoch, UTC. */
  readonly start: number;
  readonly end: number;
  readonly topic?: string;
  readonly apiKeyId?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const length: Record<Granularity, number> = { hour: HOUR, day: DAY };

/** The start of the UTC hour or day holding `at`. */
export function bucketStart(at: number, granularity: Granularity): number {
  return at - (((at % length[granularity]) + length[granularity]) % length[granularity]);
}

/**
 * Sums usage into buckets of one granularity per cluster and dimension, and per topic or API key
 * when asked. Buckets of buckets give the same sums as the records themselves (an hourly roll-up
 * may be rolled up again into days), and the order of the records does not matter.
 */
export function aggregate(records: Iterable<UsageRecord | UsageBucket>, granularity: Granularity, groupBy?: GroupBy): UsageBucket[] {
  const buckets = new Map<string, { clusterId: string; dimension: Dimension; quantity: bigint; start: number; topic?: string; apiKeyId?: string }>();
  for (const r of records) {
    const start = bucketStart('at' in r ? r.at : r.start, granularity);
    const topic = groupBy === 'topic' ? r.topic : undefined;
    const apiKeyId = groupBy === 'apiKey' ? r.apiKeyId : undefined;
    const key = JSON.stringify([r.clusterId, r.dimension, start, topic ?? null, apiKeyId ?? null]);
    const bucket = buckets.get(key);
    if (bucket) bucket.quantity += r.quantity;
    else buckets.set(key, { clusterId: r.clusterId, dimension: r.dimension, quantity: r.quantity, start, ...(topic !== undefined && { topic }), ...(apiKeyId !== undefined && { apiKeyId }) });
  }
  return [...buckets.values()]
    .map((b) => ({ ...b, end: b.start + length[granularity] }))
    .sort((a, b) => a.start - b.start || compare(a.clusterId, b.clusterId) || compare(a.dimension, b.dimension) || compare(a.topic ?? '', b.topic ?? '') || compare(a.apiKeyId ?? '', b.apiKeyId ?? ''));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
