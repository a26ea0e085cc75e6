import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/** What Fjord bills for (the dimensions of @fjord/metering). */
export const UsageDimension = z
  .enum(['ingress_bytes', 'egress_bytes', 'storage_hot_byte_hours', 'storage_cold_byte_hours', 'partition_hours', 'cluster_hours'])
  .meta({ id: 'UsageDimension' });
export type UsageDimension = z.infer<typeof UsageDimension>;

/** The longest range one usage query may cover. */
export const maxUsageRangeMs = 366 * 24 * 3600 * 1000;

export const UsageQuery = z
  .object({
    clusterId: Id.optional().describe("One cluster of the caller's organization (default: all of them)"),
    from: z.iso.datetime().describe('Start of the range (inclusive), RFC 3339; buckets start at whole UTC hours or days'),
    to: z.iso.datetime().describe('End of the range (exclusive), RFC 3339; at most a year after `from`'),
    granularity: z.enum(['hour', 'day']).default('hour'),
    groupBy: z.enum(['topic', 'apiKey']).optional().describe('Break each bucket down by topic or by cluster API key'),
  })
  .strict()
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= maxUsageRangeMs, { message: 'the range may cover at most a year', path: ['to'] });
export type UsageQuery = z.input<typeof UsageQuery>;

export const UsageItem = z
  .object({
    clusterId: Id,
    dimension: UsageDimension,
    quantity: z.string().describe('Exact decimal: bytes, or hours (byte-hours, partition-hours) with six decimals'),
    unit: z.enum(['bytes', 'byte-hours', 'partition-hours', 'cluster-hours']),
    start: Timestamp,
    end: Timestamp,
    topic: z.string().optional().describe('With groupBy=topic: the topic (absent for usage of no topic)'),
    apiKeyId: Id.optional().describe('With groupBy=apiKey: the cluster API key the traffic was authenticated as (absent for none)'),
  })
  .meta({ id: 'UsageItem' });
export type UsageItem = z.infer<typeof UsageItem>;

export const UsageList = z.object({ items: z.array(UsageItem) }).meta({ id: 'UsageList' });
export type UsageList = z.infer<typeof UsageList>;
