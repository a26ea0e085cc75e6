import type { UsageDimension, UsageItem } from '@fjord/api';
import { formatBytes, formatHours } from './format.ts';

export type Granularity = 'hour' | 'day';

const stepMs: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };

/** How each billed dimension is named and its quantities read, in the order the screen shows them. */
export const dimensions: readonly { dimension: UsageDimension; label: string; format: (n: number) => string }[] = [
  { dimension: 'ingress_bytes', label: 'Ingress', format: formatBytes },
  { dimension: 'egress_bytes', label: 'Egress', format: formatBytes },
  { dimension: 'storage_hot_byte_hours', label: 'Storage on brokers', format: (n) => `${formatBytes(n)}·h` },
  { dimension: 'storage_cold_byte_hours', label: 'Storage in object storage', format: (n) => `${formatBytes(n)}·h` },
  { dimension: 'partition_hours', label: 'Partition hours', format: formatHours },
  { dimension: 'cluster_hours', label: 'Cluster hours', format: formatHours },
];

/** The range a query covers: whole buckets, the last one holding now. */
export function usageRange(now: number, days: number, granularity: Granularity): { from: string; to: string } {
  const step = stepMs[granularity];
  const end = Math.floor(now / step) * step + step;
  return { from: new Date(end - Math.ceil((days * 86_400_000) / step) * step).toISOString(), to: new Date(end).toISOString() };
}

export interface DimensionSeries {
  /** One name per stacked series: a topic, or a cluster, as the items were grouped. */
  series: string[];
  /** One row per bucket of the range, empty buckets included, so the time axis has no gaps. */
  rows: ({ start: number } & Record<string, number>)[];
  totals: { name: string; quantity: number }[];
}

/**
 * One dimension's items as chart rows. `seriesOf` names the series an item belongs to (its topic
 * when grouped by topic, else its cluster), so several clusters or topics stack in one bar.
 */
export function dimensionSeries(
  items: UsageItem[],
  dimension: UsageDimension,
  range: { from: string; to: string },
  granularity: Granularity,
  seriesOf: (item: UsageItem) => string,
): DimensionSeries {
  const step = stepMs[granularity];
  const mine = items.filter((i) => i.dimension === dimension);
  const totals = new Map<string, number>();
  const byBucket = new Map<number, Record<string, number>>();
  for (const item of mine) {
    const name = seriesOf(item);
    const quantity = Number(item.quantity);
    const start = Date.parse(item.start);
    const bucket = byBucket.get(start) ?? {};
    bucket[name] = (bucket[name] ?? 0) + quantity;
    byBucket.set(start, bucket);
    totals.set(name, (totals.get(name) ?? 0) + quantity);
  }
  const rows: DimensionSeries['rows'] = [];
  for (let start = Date.parse(range.from); start < Date.parse(range.to); start += step) rows.push({ start, ...byBucket.get(start) } as DimensionSeries['rows'][number]);
  const ordered = [...totals].sort((a, b) => b[1] - a[1]);
  return { series: ordered.map(([name]) => name), rows, totals: ordered.map(([name, quantity]) => ({ name, quantity })) };
}
