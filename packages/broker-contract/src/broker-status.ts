import * as z from 'zod';

/**
 * What a broker reports every few seconds about its cluster's current use, for `GET /v1/quotas` (how
 * close the cluster is to each limit). A gauge, not a bill: a lost report is replaced by the next one.
 * Metering's exactly-once counts travel as usage reports instead.
 */
export const brokerStatusSchema = z.object({
  clusterId: z.string().min(1),
  nodeId: z.number().int().nonnegative(),
  /** When the broker took the reading. */
  at: z.iso.datetime(),
  partitions: z.number().int().nonnegative(),
  /** Bytes of the logs on the broker's disk (tiered data does not count). Decimal string, as byte counters are. */
  hotStoredBytes: z.string().regex(/^\d{1,20}$/),
  connections: z.number().int().nonnegative(),
  /** Produce and fetch rates over the quota window, as the broker measures them for throttling. */
  ingressBytesPerSecond: z.number().nonnegative(),
  egressBytesPerSecond: z.number().nonnegative(),
});
export type BrokerStatus = z.infer<typeof brokerStatusSchema>;
