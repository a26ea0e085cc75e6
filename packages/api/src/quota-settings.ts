import { z } from 'zod';
import { PlanLimits } from './plans.ts';

/**
 * Cluster quotas an owner or admin sets at or below the plan's ceiling; a field left out takes the
 * plan's value.
 */
export const ClusterQuotaSettings = PlanLimits.partial().strict().meta({ id: 'ClusterQuotaSettings' });
export type ClusterQuotaSettings = z.infer<typeof ClusterQuotaSettings>;

/** Byte rates of one cluster API key, or the default for every key without its own (Confluent's client quotas). */
export const KeyQuota = z
  .object({
    ingressBytesPerSecond: z.number().int().positive().optional(),
    egressBytesPerSecond: z.number().int().positive().optional(),
  })
  .strict()
  .meta({ id: 'KeyQuota' });
export type KeyQuota = z.infer<typeof KeyQuota>;
