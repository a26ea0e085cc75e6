import * as z from 'zod';

/**
 * What a broker measures. Counters (`*_bytes` moved) cover the sample's [start, end) interval;
 * gauges (`*_stored_bytes`, `partitions`, `connections`) are the value at `end`. Metering turns
 * gauges into byte-hours and partition-hours.
 */
export const usageMetricSchema = z.enum(['ingress_bytes', 'egress_bytes', 'hot_stored_bytes', 'cold_stored_bytes', 'partitions', 'connections']);
export type UsageMetric = z.infer<typeof usageMetricSchema>;

export const usageSampleSchema = z.object({
  /** Chosen by the broker when the sample is spooled: a retried report counts it once. */
  id: z.uuid(),
  clusterId: z.string().min(1),
  metric: usageMetricSchema,
  /** Non-negative integer; a string because byte counts outgrow JSON's safe integers. */
  quantity: z.string().regex(/^\d{1,20}$/),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  topic: z.string().min(1).optional(),
  /** The cluster API key (SASL username) the traffic was authenticated as. */
  principal: z.string().min(1).optional(),
});
export type UsageSample = z.infer<typeof usageSampleSchema>;

/** The body of `POST /internal/usage`. */
export const usageReportSchema = z.object({
  clusterId: z.string().min(1),
  nodeId: z.number().int().nonnegative(),
  samples: z.array(usageSampleSchema).max(10_000),
});
export type UsageReport = z.infer<typeof usageReportSchema>;

/** The answer: ids the control plane holds now (new or seen before), so the broker may drop them from its spool. */
export const usageReportAckSchema = z.object({ accepted: z.array(z.uuid()) });
export type UsageReportAck = z.infer<typeof usageReportAckSchema>;
