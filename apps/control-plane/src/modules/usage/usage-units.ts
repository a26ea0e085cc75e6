import type { UsageDimension, UsageItem } from '@fjord/api';
import type { UsageMetric } from '@fjord/broker-contract';
import { isTimeDimension, type Dimension } from '@fjord/metering';

/** The API's dimensions are metering's (a compile error here says they drifted apart). */
export const apiDimension = (d: Dimension): UsageDimension => d;
export const meteringDimension = (d: UsageDimension): Dimension => d;

const units: Record<Dimension, UsageItem['unit']> = {
  ingress_bytes: 'bytes',
  egress_bytes: 'bytes',
  storage_hot_byte_hours: 'byte-hours',
  storage_cold_byte_hours: 'byte-hours',
  partition_hours: 'partition-hours',
  cluster_hours: 'cluster-hours',
};
export const unitOf = (d: Dimension) => units[d];

/**
 * What each metric a broker reports is billed as: counters as they are, gauges integrated over the
 * sample's interval. Connections are reported but not billed.
 */
export const metricDimension: Record<UsageMetric, Dimension | undefined> = {
  ingress_bytes: 'ingress_bytes',
  egress_bytes: 'egress_bytes',
  hot_stored_bytes: 'storage_hot_byte_hours',
  cold_stored_bytes: 'storage_cold_byte_hours',
  partitions: 'partition_hours',
  connections: undefined,
};
export { isTimeDimension };
