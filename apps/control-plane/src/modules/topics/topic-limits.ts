import type { FieldError, PlanLimits } from '@fjord/api';
import { ApiProblem } from '../../errors.ts';
import { exceeds } from '../quotas/quota-ceiling.ts';

/** Topic configs a cluster's quotas bound, and the quota that bounds each. */
const boundedConfigs = { 'retention.ms': 'maxRetentionMs', 'max.message.bytes': 'maxMessageBytes' } as const satisfies Record<string, keyof PlanLimits>;

/**
 * Refuses, before the cluster is asked, topic configs its brokers would refuse: a retention longer
 * than the cluster's maxRetentionMs (-1, forever, included), records larger than its maxMessageBytes.
 * A config being removed (null) passes.
 */
export function assertConfigsWithinQuotas(quotas: PlanLimits, configs: Record<string, string | null>): void {
  const errors: FieldError[] = [];
  for (const [config, quota] of Object.entries(boundedConfigs)) {
    const value = configs[config];
    if (value === null || value === undefined || !exceeds(quota, Number(value), quotas[quota])) continue;
    errors.push({ field: `configs.${config}`, message: `${config} ${value} is above the cluster's ${quota} of ${quotas[quota]}` });
  }
  if (errors.length > 0) throw new ApiProblem('FJ_QUOTA_EXCEEDED', errors.map((e) => e.message).join('; '), errors);
}

/** Refuses partitions beyond the cluster's maxPartitions (every topic's partitions count), as its brokers would. */
export function assertPartitionsWithinQuota(quotas: PlanLimits, inUse: number, adding: number): void {
  if (inUse + adding <= quotas.maxPartitions) return;
  const message = `${adding} more partitions would exceed the cluster's partition limit maxPartitions of ${quotas.maxPartitions} (${inUse} in use)`;
  throw new ApiProblem('FJ_QUOTA_EXCEEDED', message, [{ field: 'partitions', message }]);
}
